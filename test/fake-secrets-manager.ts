import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Secrets Manager's GetSecretValue over its real wire protocol (AWS JSON 1.1), for the one
 * secret the function reads. No SQS-like embedded server exists for it; this is the smallest
 * stand-in that still lets the real SDK client parse real answers and errors.
 */
export interface FakeSecretsManager {
  readonly endpoint: string;
  readonly secretId: string;
  /** Version stage -> value; a stage absent here answers ResourceNotFoundException. */
  readonly versions: Map<'AWSCURRENT' | 'AWSPREVIOUS', string>;
  /** How many GetSecretValue calls were served. */
  calls: number;
  close(): Promise<void>;
}

export async function startFakeSecretsManager(
  versions: Partial<Record<'AWSCURRENT' | 'AWSPREVIOUS', string>>,
): Promise<FakeSecretsManager> {
  const secretId = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:zego-AbCdEf';
  const state = {
    calls: 0,
    versions: new Map(Object.entries(versions)) as FakeSecretsManager['versions'],
  };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      state.calls += 1;
      const input = JSON.parse(body) as {
        SecretId: string;
        VersionStage: 'AWSCURRENT' | 'AWSPREVIOUS';
      };
      const value =
        input.SecretId === secretId ? state.versions.get(input.VersionStage) : undefined;
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (value === undefined) {
        response.statusCode = 400;
        response.end(
          JSON.stringify({
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret value for staging label",
          }),
        );
        return;
      }
      response.end(
        JSON.stringify({
          ARN: secretId,
          Name: 'zego',
          SecretString: value,
          VersionId: input.VersionStage,
          VersionStages: [input.VersionStage],
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    endpoint: `http://127.0.0.1:${port}`,
    secretId,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
