/* pages.js - the little script of the pages (loaded from /static/, no inline
 * script: the Content-Security-Policy allows script-src 'self' only): the
 * badge page's live verification and copy buttons, and the verifier's drop
 * zone and paste box. Results are written with textContent only.
 * SPDX-License-Identifier: Apache-2.0 */
'use strict';

(function () {
  var HEADLINES = {
    'valid': 'Verified',
    'valid-issuer-not-trusted': 'Verified (the issuer is not on a trust list)',
    'expired': 'Expired',
    'not-yet-valid': 'Not yet valid',
    'revoked': 'Revoked',
    'suspended': 'Suspended',
    'invalid': 'Invalid',
    'indeterminate': 'Could not be verified'
  };
  var MARKS = { pass: '\u2713', fail: '\u2717', unknown: '?', skipped: '\u2013' };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* Show a verdict ({verdict, format, checks: [{check, result, reason}]})
   * in the .verdict box inside root. */
  function showVerdict(root, v) {
    var box = root.querySelector('.verdict');
    var list = box.querySelector('.checks');
    box.dataset.verdict = v.verdict || 'error';
    box.querySelector('.verdict-headline').textContent =
      HEADLINES[v.verdict] || ('Result: ' + v.verdict);
    box.querySelector('.verdict-format').textContent = v.format ? 'Format: ' + v.format : '';
    list.textContent = '';
    (v.checks || []).forEach(function (c) {
      var li = el('li', c.result);
      li.dataset.check = c.check;
      li.appendChild(el('span', 'mark', MARKS[c.result] || '?'));
      li.appendChild(el('span', 'name', c.check));
      li.appendChild(el('span', 'reason', c.result + (c.reason ? ': ' + c.reason : '')));
      list.appendChild(li);
    });
  }

  function showError(root, message) {
    var box = root.querySelector('.verdict');
    box.dataset.verdict = 'error';
    box.querySelector('.verdict-headline').textContent = 'Could not check';
    box.querySelector('.verdict-format').textContent = message;
    box.querySelector('.checks').textContent = '';
  }

  /* A JSON answer: the verdict, or an error body {error, message}. */
  function readAnswer(root, resp) {
    return resp.json().then(function (body) {
      if (body && body.verdict) showVerdict(root, body);
      else showError(root, (body && body.message) || ('HTTP ' + resp.status));
    });
  }

  function copyText(text, button) {
    var done = function () {
      var old = button.textContent;
      button.textContent = 'Copied';
      setTimeout(function () { button.textContent = old; }, 1500);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () {});
    }
  }

  function setupCopy() {
    document.querySelectorAll('button.copy').forEach(function (b) {
      b.addEventListener('click', function () {
        var from = b.dataset.copyFrom ? document.getElementById(b.dataset.copyFrom) : null;
        copyText(from ? from.value : b.dataset.copy, b);
      });
    });
  }

  function setupBadge() {
    var badge = document.getElementById('badge');
    var section = document.getElementById('verification');
    if (!badge || !section || !badge.dataset.verifyUrl) return;
    fetch(badge.dataset.verifyUrl, { headers: { Accept: 'application/json' } })
      .then(function (r) { return readAnswer(section, r); })
      .catch(function (e) { showError(section, String(e)); });
  }

  function toBase64(buf) {
    var bytes = new Uint8Array(buf), s = '', i;
    for (i = 0; i < bytes.length; i += 0x8000) {
      s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(s);
  }

  function setupVerifier() {
    var root = document.getElementById('verifier');
    if (!root) return;
    var result = document.getElementById('result');
    var zone = document.getElementById('dropzone');
    var input = document.getElementById('file');
    var paste = document.getElementById('paste');

    function send(body) {
      result.hidden = false;
      var box = result.querySelector('.verdict');
      box.dataset.verdict = 'pending';
      box.querySelector('.verdict-headline').textContent = 'Checking\u2026';
      box.querySelector('.verdict-format').textContent = '';
      box.querySelector('.checks').textContent = '';
      fetch(root.dataset.checkUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body)
      }).then(function (r) { return readAnswer(result, r); })
        .catch(function (e) { showError(result, String(e)); });
    }

    function sendFile(file) {
      if (!file) return;
      file.arrayBuffer().then(function (buf) {
        send({ data: toBase64(buf), name: file.name });
      });
    }

    zone.addEventListener('dragover', function (e) {
      e.preventDefault();
      zone.classList.add('over');
    });
    zone.addEventListener('dragleave', function () { zone.classList.remove('over'); });
    zone.addEventListener('drop', function (e) {
      e.preventDefault();
      zone.classList.remove('over');
      if (e.dataTransfer && e.dataTransfer.files.length) sendFile(e.dataTransfer.files[0]);
    });
    input.addEventListener('change', function () { sendFile(input.files[0]); });
    document.getElementById('check').addEventListener('click', function () {
      var text = paste.value.trim();
      if (text) send({ input: text });
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    setupCopy();
    setupBadge();
    setupVerifier();
  });
})();
