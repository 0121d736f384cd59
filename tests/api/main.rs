//! Integration tests: each starts a sandbox in-process on port 0 and talks HTTP to it.
//! One test binary with a module per ePay area keeps linking cheap.

mod helpers;

mod callback_delivery;
mod callbacks;
mod check_status;
mod concurrency;
mod connections;
mod control;
mod control_access;
mod cryptogram;
mod fidelity;
mod http_errors;
mod ios_sdk;
mod limits;
mod oauth;
mod operations;
mod operations_search;
mod pages;
mod parsers;
mod payform;
mod payments;
mod result_pages;
mod saved_cards;
mod secure3d;
mod security;
mod surface;
mod testkit;
mod transfers;
mod web;
