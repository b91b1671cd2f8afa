import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { apiGatewayEvent } from '../local/api-event.js';
import { type CallbackValue, type SignOptions, signCallback } from '../local/callback-signer.js';

/** An API Gateway HTTP API (payload v2) event as the route would deliver it. */
export function apiEvent(
  request: { body: string; contentType?: string; base64?: boolean },
  requestId = 'test-request',
): APIGatewayProxyEventV2 {
  return apiGatewayEvent({
    body: request.base64 ? Buffer.from(request.body).toString('base64') : request.body,
    isBase64Encoded: request.base64 ?? false,
    headers: request.contentType ? { 'content-type': request.contentType } : {},
    requestId,
  });
}

/** A TCP server that accepts connections and never answers: an SQS that hangs. */
export async function startBlackHole(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening: an SQS that is unreachable. */
export async function closedPortEndpoint(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

let sequence = 0;
/** A call ID of 19 digits, like ZEGOCLOUD's, unique within the test run. */
export function uniqueCallId(): string {
  sequence += 1;
  return `35${String(Date.now()).slice(-10)}${String(process.pid % 100).padStart(2, '0')}${String(sequence).padStart(5, '0')}`.slice(
    0,
    19,
  );
}

export type Invoke = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Answer {
  readonly status: number | undefined;
  readonly body: Record<string, unknown>;
}

export interface SendOptions {
  readonly contentType?: string;
  readonly base64?: boolean;
  /** Another handler than the default one. */
  readonly via?: Invoke;
}

/**
 * `send` posts a raw body to a handler as API Gateway would; `post` signs callback fields with
 * `secret` first. Both return the status and the parsed JSON answer.
 */
export function callbackSender(secret: string, defaultHandler: () => Invoke) {
  const send = async (body: string, options: SendOptions = {}): Promise<Answer> => {
    const result = await (options.via ?? defaultHandler())(apiEvent({ body, ...options }));
    return {
      status: result.statusCode,
      body: JSON.parse(result.body ?? 'null') as Record<string, unknown>,
    };
  };
  const post = (
    fields: Record<string, CallbackValue>,
    options: Partial<SignOptions> & SendOptions = {},
  ): Promise<Answer> => {
    const request = signCallback(fields, { secret, ...options });
    return send(request.body, { contentType: request.contentType, ...options });
  };
  return { send, post };
}

export const unixNow = (): number => Math.floor(Date.now() / 1000);
