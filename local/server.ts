import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHandlerFromEnvironment, type Extensions } from '../lambda/environment.js';
import type { CallbackHandler } from '../lambda/handler.js';
import { SETTINGS } from '../lambda/settings.js';
import { apiGatewayEvent } from './api-event.js';
import { DEV_SECRET } from './dev-secret.js';
import { startLocalSqs } from './sqs.js';

const CALLBACK_ROUTE_PATH = SETTINGS.routePath.default;

export interface LocalStackOptions {
  readonly port?: number;
  readonly sqsPort?: number;
  readonly secret?: string;
  /** Handler settings on top of the defaults (FORWARD_EVENTS, ZEGO_APP_ID, ...). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Run the replay guard, as `-c replayGuard=true` deploys it, against a local table. */
  readonly replayGuard?: boolean;
}

export interface LocalStack {
  readonly callbackUrl: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly quarantineQueueUrl: string;
  readonly sqsEndpoint: string;
  readonly secret: string;
  /** With `replayGuard`: where the guard's table is. */
  readonly replayTable?: { readonly endpoint: string; readonly tableName: string };
  close(): Promise<void>;
}

/** API Gateway's own limit; the handler refuses far smaller bodies itself (413). */
const GATEWAY_MAX_BYTES = 10 * 1024 * 1024;
/** Content types API Gateway passes as text; anything else arrives base64-encoded. */
const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript))/i;

/**
 * The deployed path on one machine: an HTTP server that turns requests into API Gateway v2
 * events for the very handler the Lambda runs, and an embedded SQS with the same FIFO queue.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const secret = options.secret ?? DEV_SECRET;
  const sqs = await startLocalSqs({ port: options.sqsPort ?? 0 });
  // The SDK insists on a region and credentials, even for a local endpoint.
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  const closers: (() => Promise<void>)[] = [() => sqs.close()];
  const closeEach = async () => {
    for (const close of [...closers].reverse()) await close();
  };
  let server: Server;
  let replayTable: LocalStack['replayTable'];
  try {
    let guard: Extensions = {};
    const guardEnv: Record<string, string> = {};
    if (options.replayGuard) {
      // Loaded only when asked for: dynalite and the DynamoDB client are not small.
      const [{ startLocalReplayTable }, { replayGuardFromConfig }] = await Promise.all([
        import('./dynamo-table.js'),
        import('../lambda/adapters/replay-guard.js'),
      ]);
      const table = await startLocalReplayTable();
      closers.push(() => table.close());
      replayTable = { endpoint: table.endpoint, tableName: table.tableName };
      guard = { replayGuard: replayGuardFromConfig };
      guardEnv.REPLAY_TABLE_NAME = table.tableName;
      guardEnv.AWS_ENDPOINT_URL_DYNAMODB = table.endpoint;
    }
    const handler = createHandlerFromEnvironment(
      {
        ...options.env,
        ...guardEnv,
        QUEUE_URL: sqs.queueUrl,
        QUARANTINE_QUEUE_URL: sqs.quarantineQueueUrl,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        CALLBACK_SECRET: secret,
      },
      guard,
    );
    server = await listen(handler, options.port ?? 3000);
  } catch (error) {
    await closeEach();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  return {
    callbackUrl: `http://127.0.0.1:${port}${CALLBACK_ROUTE_PATH}`,
    queueUrl: sqs.queueUrl,
    deadLetterQueueUrl: sqs.deadLetterQueueUrl,
    quarantineQueueUrl: sqs.quarantineQueueUrl,
    sqsEndpoint: sqs.endpoint,
    secret,
    ...(replayTable ? { replayTable } : {}),
    close: async () => {
      await closeServer(server);
      await closeEach();
    },
  };
}

function listen(handler: CallbackHandler, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    serve(handler, request, response).catch((error: unknown) => {
      // The handler never throws; this is the local server's own failure.
      respond(response, 500, { message: `local server error: ${String(error)}` });
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function serve(
  handler: CallbackHandler,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (request.method !== 'POST' || url.pathname !== CALLBACK_ROUTE_PATH) {
    request.resume();
    return respond(response, 404, { message: 'Not Found' });
  }
  const body = await readBody(request);
  if (body === undefined) return respond(response, 413, { message: 'Request Entity Too Large' });
  const result = await handler(toApiEvent(request, url, body));
  response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
  response.end(result.body ?? '');
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= GATEWAY_MAX_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > GATEWAY_MAX_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function toApiEvent(request: IncomingMessage, url: URL, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const isText = TEXT_TYPES.test(headers['content-type'] ?? '');
  return apiGatewayEvent({
    body: isText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: !isText,
    headers,
    requestId: randomUUID(),
    sourceIp: request.socket.remoteAddress,
    protocol: `HTTP/${request.httpVersion}`,
    rawQueryString: url.search.slice(1),
  });
}

function respond(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
