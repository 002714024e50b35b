// Why WebGPU or WebNN is missing, as the probe reports it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingApiReason } from '../capability_probe.js';

test('an insecure origin is named as the reason an API is hidden', () => {
  const page = { isSecureContext: false, location: { origin: 'http://10.203.0.1:8080' } };
  assert.equal(
    missingApiReason('navigator.gpu', page),
    'navigator.gpu is undefined: the page is not a secure context (http://10.203.0.1:8080; serve it over https)',
  );
});

test('in a secure context the API is simply missing', () => {
  const page = { isSecureContext: true, location: { origin: 'https://10.203.0.1:8443' } };
  assert.equal(missingApiReason('navigator.ml', page), 'navigator.ml is undefined');
});
