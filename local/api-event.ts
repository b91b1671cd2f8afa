import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { SETTINGS } from '../lambda/settings.js';

const CALLBACK_ROUTE_PATH = SETTINGS.routePath.default;

export interface ApiRequest {
  readonly body: string;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly sourceIp?: string;
  readonly protocol?: string;
  readonly rawQueryString?: string;
}

/** The event API Gateway (HTTP API, payload 2.0) gives the function for the callback route. */
export function apiGatewayEvent(request: ApiRequest): APIGatewayProxyEventV2 {
  const now = new Date();
  const headers = { ...request.headers };
  return {
    version: '2.0',
    routeKey: `POST ${CALLBACK_ROUTE_PATH}`,
    rawPath: CALLBACK_ROUTE_PATH,
    rawQueryString: request.rawQueryString ?? '',
    headers,
    isBase64Encoded: request.isBase64Encoded ?? false,
    body: request.body,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: 'POST',
        path: CALLBACK_ROUTE_PATH,
        protocol: request.protocol ?? 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: request.requestId,
      routeKey: `POST ${CALLBACK_ROUTE_PATH}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
  };
}
