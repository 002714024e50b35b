// Checks a running `webaccel serve` against the Open Inference Protocol's
// own OpenAPI document (open_inference_rest.yaml): each request sent is
// valid by the document's request schema; each answer's status is one the
// document lists for its operation and its body is valid by that status's
// schema. One deliberate difference is checked as such: an unknown model
// answers 404 (as KServe's, Seldon's and Triton's servers do), with the
// document's error object.
//
//   node oip_openapi_check.mjs PORT TOKEN MODEL
//
// Prints "ok NAME" or "FAIL NAME: why" per check; exits 1 if one failed.
import fs from 'node:fs';
import http from 'node:http';
import yaml from 'js-yaml';
import requestValidator from 'openapi-request-validator';
import responseValidator from 'openapi-response-validator';

// CommonJS modules whose class is their `default` export.
const OpenAPIRequestValidator = requestValidator.default ?? requestValidator;
const OpenAPIResponseValidator = responseValidator.default ?? responseValidator;

const [port, token, model] = process.argv.slice(2);
const doc = yaml.load(
  fs.readFileSync(new URL('./open_inference_rest.yaml', import.meta.url), 'utf8'));

// The document writes its path parameters as ${NAME}; OpenAPI tools take
// {NAME}.
const paths = {};
for (const [path, item] of Object.entries(doc.paths))
  paths[path.replace(/\$\{(\w+)\}/g, '{$1}')] = item;

let failed = 0;
function check(name, ok, why) {
  console.log(ok ? `ok ${name}` : `FAIL ${name}: ${JSON.stringify(why)}`);
  if (!ok) failed++;
}

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({
      host: '127.0.0.1', port, method, path,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(data ? {'Content-Type': 'application/json',
                    'Content-Length': Buffer.byteLength(data)} : {}),
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
        resolve({status: res.statusCode, body: json});
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/// Sends a request to the document's operation `template` `method`, with
/// the real `path`; checks the request, then the answer.
async function operation(name, template, method, path, body) {
  const op = paths[template][method];
  if (!op) throw new Error(`the document has no ${method} ${template}`);
  if (op.requestBody) {
    const request = new OpenAPIRequestValidator({
      requestBody: op.requestBody,
      componentSchemas: doc.components.schemas,
    });
    const errors = request.validateRequest({
      headers: {'content-type': 'application/json'}, body, params: {}, query: {},
    });
    check(`${name}: the request is valid by the document`, !errors, errors);
  }
  const res = await call(method.toUpperCase(), path, body);
  const response = new OpenAPIResponseValidator({
    responses: op.responses, components: doc.components,
  });
  // Where the document gives a status no content (the health endpoints),
  // it constrains the status only; the body is the text protocol's
  // ({"live": true}, {"ready": true}).
  const documented = op.responses[res.status];
  const answered = documented && !documented.content ? null : res.body;
  const errors = response.validateResponse(res.status, answered);
  check(`${name}: ${res.status} is valid by the document`, !errors,
        {errors, status: res.status, body: res.body});
  return res;
}

const versioned = `/v2/models/${model}/versions/1`;
const infer = {
  id: 'openapi-1',
  inputs: [{name: 'text', shape: [1], datatype: 'BYTES', data: ['checked against the document']}],
};

await operation('server live', '/v2/health/live', 'get', '/v2/health/live');
await operation('server ready', '/v2/health/ready', 'get', '/v2/health/ready');
const meta = await operation('server metadata', '/v2/', 'get', '/v2/');
check('server metadata names its extensions', meta.status === 200
      && meta.body.extensions.includes('model_repository'), meta.body);
const model_template = '/v2/models/{MODEL_NAME}/versions/{MODEL_VERSION}';
await operation('model metadata', model_template, 'get', versioned);
await operation('model metadata without a version', model_template, 'get',
                `/v2/models/${model}`);
const ready = await operation('model ready', `${model_template}/ready`, 'get',
                              `${versioned}/ready`);
check('model ready answers 200', ready.status === 200, ready);
const ok = await operation('inference', `${model_template}/infer`, 'post',
                           `${versioned}/infer`, infer);
check('inference answers 200 with outputs', ok.status === 200
      && ok.body.outputs.length > 0 && ok.body.id === 'openapi-1', ok.body);
const bad = await operation('inference with a bad datatype',
                            `${model_template}/infer`, 'post',
                            `${versioned}/infer`,
                            {inputs: [{name: 'text', shape: [1], datatype: 'FP64', data: [1]}]});
check('a bad request answers 400', bad.status === 400, bad);
// The deliberate difference: 404 for a model the server does not have,
// with the document's error object.
const unknown = await call('POST', '/v2/models/no_such_model/versions/1/infer', infer);
const asError = new OpenAPIResponseValidator({
  responses: {404: paths[`${model_template}/infer`].post.responses['400']},
  components: doc.components,
});
check('an unknown model answers 404 with the document\'s error object',
      unknown.status === 404 && !asError.validateResponse(404, unknown.body),
      unknown);
process.exit(failed ? 1 : 0);
