/*
 * ePay Sandbox drop-in for the bank's /payform/payment-api.js (written for the sandbox).
 *
 * Same global `halyk` and functions as the bank's script: Config, pay, showPaymentWidget,
 * p2p, aft, oct, cardverification (= pay). The payment object is flattened with
 * encodeParams (nested objects such as `auth` become an encoded query string inside a value),
 * compressed with LZString.compressToEncodedURIComponent and sent as ?params=. The payment
 * page is the `/payform/` next to this script, so a merchant page changes only the script's
 * host. See docs/payform.md.
 */
(function (global) {
  'use strict';

  var URI_SAFE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$';

  /* LZString compression (the public-domain LZ-based algorithm of lz-string 1.4). */
  function compress(input, bitsPerChar, charOf) {
    var dictionary = new Map();
    var pending = new Set();
    var word = '';
    var enlargeIn = 2;
    var dictSize = 3;
    var numBits = 2;
    var out = [];
    var value = 0;
    var position = 0;

    function writeBits(bits, count) {
      for (var i = 0; i < count; i++) {
        value = (value << 1) | (bits & 1);
        if (position === bitsPerChar - 1) {
          position = 0;
          out.push(charOf(value));
          value = 0;
        } else {
          position++;
        }
        bits >>= 1;
      }
    }

    function countEmitted() {
      enlargeIn--;
      if (enlargeIn === 0) {
        enlargeIn = Math.pow(2, numBits);
        numBits++;
      }
    }

    function emit(w) {
      if (pending.has(w)) {
        var code = w.charCodeAt(0);
        if (code < 256) {
          writeBits(0, numBits);
          writeBits(code, 8);
        } else {
          writeBits(1, numBits);
          writeBits(code, 16);
        }
        countEmitted();
        pending.delete(w);
      } else {
        writeBits(dictionary.get(w), numBits);
      }
      countEmitted();
    }

    for (var i = 0; i < input.length; i++) {
      var c = input.charAt(i);
      if (!dictionary.has(c)) {
        dictionary.set(c, dictSize++);
        pending.add(c);
      }
      var wc = word + c;
      if (dictionary.has(wc)) {
        word = wc;
      } else {
        emit(word);
        dictionary.set(wc, dictSize++);
        word = c;
      }
    }
    if (word !== '') {
      emit(word);
    }
    writeBits(2, numBits);
    for (;;) {
      value = value << 1;
      if (position === bitsPerChar - 1) {
        out.push(charOf(value));
        break;
      }
      position++;
    }
    return out.join('');
  }

  function compressToEncodedURIComponent(input) {
    if (input === null || input === undefined) return '';
    return compress(String(input), 6, function (n) { return URI_SAFE_ALPHABET.charAt(n); });
  }

  /* The bank's flattening: key=encodeURIComponent(encodeParams(value)) joined with '&'. */
  function encodeParams(value) {
    if (value === null || value === undefined) return '';
    if (typeof value !== 'object') return String(value);
    return Object.keys(value).map(function (key) {
      return encodeURIComponent(key) + '=' + encodeURIComponent(encodeParams(value[key]));
    }).join('&');
  }

  function scriptUrl() {
    var current = document.currentScript;
    if (current && current.src) return current.src;
    var scripts = document.getElementsByTagName('script');
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/payment-api\.js(\?|#|$)/.test(scripts[i].src)) return scripts[i].src;
    }
    return global.location.href;
  }

  var pageUrl = new URL('./', scriptUrl()).href;
  var origin = new URL(pageUrl).origin;

  function Config() {
    return {
      pageUrL: pageUrl,
      origin: origin,
      TokenAPIConfig: { url: origin + '/oauth2/token', clientId: 'test' },
    };
  }

  function pageFor(paymentObject) {
    return pageUrl + '?params=' + compressToEncodedURIComponent(encodeParams(paymentObject));
  }

  function pay(paymentObject) {
    global.location.href = pageFor(paymentObject);
  }

  function p2p(paymentObject) {
    global.location.href = pageFor(paymentObject) + '&isTransfer=true';
  }

  function aft(paymentObject) {
    global.location.href = pageFor(paymentObject) + '&isAFT=true';
  }

  function oct(paymentObject) {
    global.location.href = pageFor(paymentObject) + '&isOCT=true';
  }

  function showPaymentWidget(paymentObject, callback) {
    var overlay = document.createElement('div');
    overlay.id = 'halyk-payment-widget';
    overlay.setAttribute('style', 'position:fixed;inset:0;z-index:2147483647;background:rgba(20,28,38,.55);' +
      'display:flex;align-items:center;justify-content:center;');
    var frame = document.createElement('iframe');
    frame.src = pageFor(paymentObject) + '&isShortForm=true';
    frame.title = 'Halyk ePay';
    frame.setAttribute('style', 'width:440px;max-width:100vw;height:640px;max-height:100vh;border:0;' +
      'border-radius:12px;background:#fff;');
    var close = document.createElement('button');
    close.type = 'button';
    close.textContent = '\u00d7';
    close.setAttribute('aria-label', 'Close');
    close.setAttribute('style', 'position:absolute;top:12px;right:16px;font-size:28px;color:#fff;' +
      'background:none;border:0;cursor:pointer;');

    function remove() {
      global.removeEventListener('message', onMessage);
      if (overlay.parentNode) overlay.parentNode.removeChild(overlay);
    }

    function onMessage(event) {
      if (typeof event.origin !== 'string' || event.origin.indexOf(origin) !== 0) return;
      var data;
      try {
        data = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
      } catch (error) {
        return;
      }
      remove();
      if (typeof callback === 'function') callback({ success: !!data && data.success === true });
    }

    close.addEventListener('click', remove);
    global.addEventListener('message', onMessage);
    overlay.appendChild(frame);
    overlay.appendChild(close);
    document.body.appendChild(overlay);
  }

  global.halyk = {
    Config: Config,
    pay: pay,
    cardverification: pay,
    showPaymentWidget: showPaymentWidget,
    p2p: p2p,
    aft: aft,
    oct: oct,
  };
})(window);
