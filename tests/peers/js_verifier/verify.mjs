#!/usr/bin/env node
// Independent verifier for Passeport's Open Badges 3.0 credentials.
//
// Written on Digital Bazaar's libraries (@digitalbazaar/vc + data-integrity +
// eddsa-rdfc-2022-cryptosuite), so a credential that passes here was checked
// by code that shares nothing with openbadgeslib / pyld.
//
// stdin : one JSON object
//         {"credential": {...},            // the secured VC (with its proof)
//          "documents": {"<url>": <json>}, // everything the loader may serve
//          "now": "2030-01-01T00:00:00Z",  // optional: clock for validFrom/Until
//          "checkStatus": true,            // optional: check credentialStatus
//          "fetchFrom": "http://127.0.0.1:PORT/"}  // optional: URLs under this
//                                          // prefix are fetched (the status list)
// stdout: one JSON object {"verified": true|false, "errors": ["..."],
//         "status": {"checked": bool, "revoked": bool}}
// exit  : 0 whenever a verdict was reached (verified or not); non-zero only
//         when this script itself crashes (bad input, missing modules, ...).
//
// Fully offline: the document loader serves ONLY the URLs in `documents`
// (JSON-LD contexts, the issuer's DID document, verification methods) and
// throws on any other URL, naming it. A verification method id
// `did:web:host#key-1` that is not itself a key of `documents` is looked up in
// the DID document given under `did:web:host`.
//
// With "checkStatus", credentialStatus is checked by Digital Bazaar's
// @digitalbazaar/vc-bitstring-status-list (as the DCC Learner Credential
// Wallet and VerifierPlus do): the status list credential is fetched from the
// live server under "fetchFrom", its Data Integrity proof verified, and the
// credential's bit read; a set bit (revoked) fails the verification. Without
// it, a stub that accepts is passed (@digitalbazaar/vc refuses a credential
// carrying credentialStatus unless a `checkStatus` function is given).
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {checkStatus as checkBitstringStatus} from
  '@digitalbazaar/vc-bitstring-status-list';

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// The DID document relationships a verification method may be embedded in.
const VM_RELATIONSHIPS = [
  'verificationMethod', 'assertionMethod', 'authentication',
  'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'
];

function findVerificationMethod(didDocument, did, vmId) {
  const fragment = vmId.slice(vmId.indexOf('#'));
  for(const relationship of VM_RELATIONSHIPS) {
    const entries = [].concat(didDocument[relationship] ?? []);
    for(const entry of entries) {
      if(entry && typeof entry === 'object' &&
        (entry.id === vmId || entry.id === fragment ||
          (did + entry.id) === vmId)) {
        // absolute id and controller, as the proof purpose compares them
        const vm = {...entry, id: vmId};
        if(vm.controller === undefined) {
          vm.controller = did;
        }
        return vm;
      }
    }
  }
  return undefined;
}

function makeDocumentLoader(documents, missing, fetchFrom) {
  return async function documentLoader(url) {
    let document;
    if(Object.prototype.hasOwnProperty.call(documents, url)) {
      document = documents[url];
    } else if(fetchFrom && typeof url === 'string' && url.startsWith(fetchFrom)) {
      const response = await fetch(url, {
        headers: {accept: 'application/vc+ld+json, application/ld+json'}
      });
      if(!response.ok) {
        throw new Error(`fetching "${url}" answered HTTP ${response.status}`);
      }
      document = JSON.parse(await response.text());
    } else if(typeof url === 'string' && url.startsWith('did:') &&
      url.includes('#')) {
      const did = url.slice(0, url.indexOf('#'));
      if(Object.prototype.hasOwnProperty.call(documents, did)) {
        document = findVerificationMethod(documents[did], did, url);
        if(document === undefined) {
          const message = `offline document loader: DID document "${did}" ` +
            `has no verification method "${url}"`;
          missing.push(message);
          throw new Error(message);
        }
      }
    }
    if(document === undefined) {
      const message = `offline document loader: no document for URL ` +
        `"${url}" (only the URLs given in "documents" are served; ` +
        'nothing is fetched)';
      missing.push(message);
      throw new Error(message);
    }
    return {
      contextUrl: null,
      documentUrl: url,
      // a copy: the libraries must not be able to alter the caller's input
      document: structuredClone(document)
    };
  };
}

// Flattens the nested errors of a vc / jsonld-signatures / jsonld.js result
// into readable, de-duplicated strings.
function collectErrors(value, out, seen = new Set()) {
  if(value === undefined || value === null || seen.has(value)) {
    return out;
  }
  if(Array.isArray(value)) {
    for(const item of value) {
      collectErrors(item, out, seen);
    }
    return out;
  }
  if(typeof value !== 'object') {
    out.add(String(value));
    return out;
  }
  seen.add(value);
  if(value instanceof Error || typeof value.message === 'string') {
    const name = value.name && value.name !== 'Error' ? `${value.name}: ` : '';
    const details = value.details && typeof value.details === 'object' ?
      value.details : {};
    let text = `${name}${value.message}`;
    if(details.url && !text.includes(details.url)) {
      text += ` (url: ${details.url})`;
    }
    if(details.code && !text.includes(details.code)) {
      text += ` [${details.code}]`;
    }
    // VerificationError only wraps: report what it wraps
    if(!(Array.isArray(value.errors) && value.errors.length > 0)) {
      out.add(text);
    }
    collectErrors(value.errors, out, seen);
    collectErrors(details.cause, out, seen);
    collectErrors(value.cause, out, seen);
    return out;
  }
  // a result object: {verified, error, results: [...], purposeResult, ...}
  collectErrors(value.error, out, seen);
  collectErrors(value.results, out, seen);
  collectErrors(value.purposeResult, out, seen);
  collectErrors(value.statusResult?.error, out, seen);
  return out;
}

async function main() {
  const input = JSON.parse(await readStdin());
  if(!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError('stdin must be a JSON object');
  }
  const {credential, documents = {}, now, fetchFrom} = input;
  if(!credential || typeof credential !== 'object') {
    throw new TypeError('"credential" must be a JSON object');
  }
  if(!documents || typeof documents !== 'object' || Array.isArray(documents)) {
    throw new TypeError('"documents" must be a JSON object of url -> document');
  }

  const missing = [];
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
  const documentLoader = makeDocumentLoader(documents, missing, fetchFrom);
  const status = {checked: false, revoked: false};
  const options = {
    credential,
    suite,
    documentLoader,
    checkStatus: input.checkStatus ? async ({credential}) => {
      const result = await checkBitstringStatus({
        credential, documentLoader, suite,
        verifyBitstringStatusListCredential: true, verifyMatchingIssuers: true
      });
      status.checked = result.verified === true;
      status.revoked = (result.results ?? []).some(r => r.status === true);
      if(result.verified && status.revoked) {
        return {verified: false, error: new Error('the credential is revoked ' +
          '(its bit is set in the BitstringStatusList)')};
      }
      return result;
    } : async () => ({verified: true})
  };
  if(now !== undefined) {
    options.now = now;
  }

  let result;
  try {
    result = await vc.verifyCredential(options);
  } catch(error) {
    // verifyCredential reports through its result; anything thrown is still
    // a verdict about this credential, not a crash of the harness
    result = {verified: false, error};
  }

  const errors = new Set(missing);
  if(!result.verified) {
    collectErrors(result, errors);
    if(errors.size === 0) {
      errors.add('verification failed without an error message');
    }
  }
  const verified = result.verified === true;
  process.stdout.write(JSON.stringify({
    verified,
    // on success this holds only loader misses the libraries tolerated
    errors: [...errors],
    status
  }) + '\n');
}

main().catch(error => {
  process.stderr.write(`verify.mjs crashed: ${error?.stack ?? error}\n`);
  process.exit(2);
});
