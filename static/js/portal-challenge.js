/* SafeCampus public portal: the proof-of-work check of the report form (issue #3).
 *
 * When submissions are near a limit the server renders the form with
 *   <form data-pow-seed="…" data-pow-bits="18" data-pow-expires="…">
 *     <input type="hidden" name="challenge" value="token"> <input type="hidden" name="nonce">
 * and this script finds a decimal nonce such that SHA-256(seed + nonce) starts with
 * `bits` zero bits. It starts as soon as the page loads, so the work is usually done while
 * the reporter writes; a submit before that waits with a progress bar ([data-pow-progress])
 * and then sends the same form, so nothing typed is lost.
 *
 * SHA-256 is written out here rather than taken from WebCrypto: crypto.subtle exists only
 * in secure contexts (not on plain-HTTP intranet addresses) and its promise per hash is
 * slower than this loop for 64-byte messages. The file is also its own Web Worker (same
 * origin, so the CSP's script-src 'self' allows it); without workers it runs in slices.
 */
(function (scope) {
  "use strict";

  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  var IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  var w = new Int32Array(64);
  var out = new Int32Array(8);

  /* SHA-256 of an ASCII text of at most 55 characters (one block) into `out`. */
  function digest(text) {
    var n = text.length;
    var i;
    if (n > 55) throw new Error("portal-challenge: message longer than one block");
    for (i = 0; i < 16; i++) w[i] = 0;
    for (i = 0; i < n; i++) w[i >> 2] |= (text.charCodeAt(i) & 0xff) << (24 - 8 * (i & 3));
    w[n >> 2] |= 0x80 << (24 - 8 * (n & 3));
    w[15] = n * 8;
    for (i = 16; i < 64; i++) {
      var x = w[i - 15];
      var y = w[i - 2];
      var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    var a = IV[0], b = IV[1], c = IV[2], d = IV[3], e = IV[4], f = IV[5], g = IV[6], h = IV[7];
    for (i = 0; i < 64; i++) {
      var t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
        ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      var t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
        ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    out[0] = IV[0] + a; out[1] = IV[1] + b; out[2] = IV[2] + c; out[3] = IV[3] + d;
    out[4] = IV[4] + e; out[5] = IV[5] + f; out[6] = IV[6] + g; out[7] = IV[7] + h;
    return out;
  }

  function zeroBits(words) {
    var bits = 0;
    for (var i = 0; i < words.length; i++) {
      var z = Math.clz32(words[i]);
      bits += z;
      if (z < 32) break;
    }
    return bits;
  }

  function hex(text) {
    var words = digest(text);
    var s = "";
    for (var i = 0; i < 8; i++) s += ("00000000" + (words[i] >>> 0).toString(16)).slice(-8);
    return s;
  }

  /* The first nonce in [from, to) that solves the challenge, or -1. */
  function search(seed, bits, from, to) {
    for (var n = from; n < to; n++) {
      if (zeroBits(digest(seed + n)) >= bits) return n;
    }
    return -1;
  }

  var SLICE = 16384;

  // --- as a Web Worker: search until found, reporting how many were tried --------------
  if (typeof document === "undefined") {
    scope.onmessage = function (evt) {
      var seed = String(evt.data.seed);
      var bits = evt.data.bits | 0;
      for (var from = 0; ; from += SLICE) {
        var found = search(seed, bits, from, from + SLICE);
        if (found >= 0) {
          scope.postMessage({ nonce: String(found), tried: found + 1 });
          return;
        }
        scope.postMessage({ tried: from + SLICE });
      }
    };
    return;
  }

  // --- as a page script ------------------------------------------------------------------
  scope.SafeCampusPow = { sha256Hex: hex, search: search };
  var script = document.currentScript;
  var form = document.querySelector("form[data-pow-seed]");
  if (!form) return;
  var seed = form.getAttribute("data-pow-seed");
  var bits = parseInt(form.getAttribute("data-pow-bits"), 10) || 0;
  var nonceInput = form.querySelector('input[name="nonce"]');
  var progress = form.querySelector("[data-pow-progress]");
  var bar = progress && progress.querySelector("progress");
  var failed = form.querySelector("[data-pow-failed]");
  var expected = Math.pow(2, bits);
  var state = { nonce: null, tried: 0, waiting: false, error: false };

  function show(tried) {
    state.tried = tried;
    // The chance that a nonce would have been found by now: honest, never stuck at 99 %.
    if (bar) bar.value = Math.min(99, Math.round(100 * (1 - Math.exp(-tried / expected))));
  }

  function setBusy(busy) {
    form.querySelectorAll('button[type="submit"]').forEach(function (button) {
      button.disabled = busy;
      button.setAttribute("aria-busy", busy ? "true" : "false");
    });
    if (progress) progress.hidden = !busy;
  }

  function solved(nonce) {
    state.nonce = nonce;
    nonceInput.value = nonce;
    form.setAttribute("data-pow-solved", "1");
    if (state.waiting) {
      if (bar) bar.value = 100;
      form.submit();
    }
  }

  function broke() {
    state.error = true;
    setBusy(false);
    if (failed) failed.hidden = false;
  }

  function inPage() {
    var from = 0;
    function slice() {
      var found = search(seed, bits, from, from + SLICE);
      if (found >= 0) return solved(String(found));
      from += SLICE;
      show(from);
      setTimeout(slice, 0);
    }
    setTimeout(slice, 0);
  }

  function start() {
    var worker;
    try {
      worker = new Worker(script.src);
    } catch (err) {
      inPage();
      return;
    }
    worker.onmessage = function (evt) {
      show(evt.data.tried);
      if (evt.data.nonce !== undefined) {
        worker.terminate();
        solved(evt.data.nonce);
      }
    };
    worker.onerror = function (evt) {
      evt.preventDefault();
      worker.terminate();
      inPage();
    };
    worker.postMessage({ seed: seed, bits: bits });
  }

  form.addEventListener("submit", function (evt) {
    if (state.nonce !== null || state.error) return;
    evt.preventDefault();
    if (state.waiting) return;
    state.waiting = true;
    setBusy(true);
    show(state.tried);
  });

  try {
    start();
  } catch (err) {
    broke();
  }
})(self);
