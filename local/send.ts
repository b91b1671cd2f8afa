import { SETTINGS } from '../lambda/settings.js';
import {
  BODY_SHAPES,
  type BodyShape,
  type CallbackValue,
  signCallback,
} from './callback-signer.js';
import { commandLine, refuse } from './cli.js';
import { DEV_SECRET } from './dev-secret.js';

const LOCAL_CALLBACK_URL = `http://127.0.0.1:${process.env.PORT ?? 3000}${SETTINGS.routePath.default}`;

const USAGE = `Send a correctly signed ZEGOCLOUD callback.

  npm run send -- [options]

  --url URL            callback URL (default ${LOCAL_CALLBACK_URL})
  --secret S           CallbackSecret (default $CALLBACK_SECRET, else ${DEV_SECRET})
  --event E            event name (default call_reject)
  --appid N            AppID (default 1234567890)
  --call-id ID         call_id (default a random 19-digit id)
  --user-id ID         user_id (default alice)
  --extend-data TEXT   extend_data (default "")
  --field KEY=VALUE    any other field, repeatable (user_ids=a,b becomes a list)
  --shape SHAPE        ${BODY_SHAPES.join(' | ')} (default json)
  --integers           send appid, nonce and timestamp as JSON integers
  --timestamp N        Unix seconds to sign with (default now)
  --repeat N           send N times, re-signed each time, as ZEGOCLOUD retries do (default 1)
  --wrong-secret       sign with a wrong secret (to see a 401)
`;

const values = commandLine(USAGE, {
  url: { type: 'string', default: LOCAL_CALLBACK_URL },
  secret: { type: 'string' },
  event: { type: 'string', default: 'call_reject' },
  appid: { type: 'string', default: '1234567890' },
  'call-id': { type: 'string' },
  'user-id': { type: 'string', default: 'alice' },
  'extend-data': { type: 'string', default: '' },
  field: { type: 'string', multiple: true, default: [] },
  shape: { type: 'string', default: 'json' },
  integers: { type: 'boolean', default: false },
  timestamp: { type: 'string' },
  repeat: { type: 'string', default: '1' },
  'wrong-secret': { type: 'boolean', default: false },
});
const shape = values.shape as BodyShape;
if (!BODY_SHAPES.includes(shape)) refuse(`--shape must be one of ${BODY_SHAPES.join(', ')}`, USAGE);
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) refuse('--repeat takes a whole number from 1', USAGE);

// A blank CALLBACK_SECRET is an unset one, as for `npm start`: the development secret.
const secret = values['wrong-secret']
  ? 'not-the-secret'
  : (values.secret ?? (process.env.CALLBACK_SECRET?.split(',')[0]?.trim() || DEV_SECRET));
const callId = values['call-id'] ?? `35${String(Date.now()).padStart(17, '0')}`.slice(0, 19);
const fields: Record<string, CallbackValue> = {
  appid: values.integers ? BigInt(values.appid) : values.appid,
  event: values.event,
  call_id: callId,
};
if (values.event === 'call_reject' || values.event === 'call_accept') {
  fields.user_id = values['user-id'];
  fields.extend_data = values['extend-data'];
}
for (const pair of values.field) {
  const at = pair.indexOf('=');
  if (at < 1) refuse(`--field takes KEY=VALUE, got "${pair}"`);
  const key = pair.slice(0, at);
  const value = pair.slice(at + 1);
  fields[key] = key.endsWith('_ids') ? value.split(',') : value;
}

let failed = false;
for (let attempt = 1; attempt <= repeat; attempt++) {
  const timestamp = values.timestamp ?? Math.floor(Date.now() / 1000);
  const nonce = Math.floor(Math.random() * 1e12);
  const request = signCallback(fields, {
    secret,
    shape,
    timestamp: values.integers ? BigInt(timestamp) : String(timestamp),
    nonce: values.integers ? BigInt(nonce) : String(nonce),
  });
  const response = await fetch(values.url, {
    method: 'POST',
    headers: { 'content-type': request.contentType },
    body: request.body,
  });
  const text = await response.text();
  console.log(`${response.status} ${text}`);
  failed ||= !response.ok;
}
process.exit(failed ? 1 : 0);
