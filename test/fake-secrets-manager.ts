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
  readonly versions: Map<Stage, string>;
  /** When each stage's version was created (the answer's CreatedDate); else when the fake started. */
  readonly created: Map<Stage, Date>;
  /** While true, every call is answered 500 InternalServiceError. */
  failing: boolean;
  /** The next this many calls are left unanswered (a hung attempt). */
  hang: number;
  /** How many hung calls the client gave up on (closed its connection). */
  abandoned: number;
  /** Milliseconds before each other call is answered. */
  delay: number;
  /** How many GetSecretValue calls arrived. */
  calls: number;
  close(): Promise<void>;
}

type Stage = 'AWSCURRENT' | 'AWSPREVIOUS';

export async function startFakeSecretsManager(
  versions: Partial<Record<Stage, string>>,
): Promise<FakeSecretsManager> {
  const secretId = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:zego-AbCdEf';
  const started = new Date();
  const state = {
    calls: 0,
    failing: false,
    hang: 0,
    abandoned: 0,
    delay: 0,
    versions: new Map(Object.entries(versions)) as FakeSecretsManager['versions'],
    created: new Map<Stage, Date>(),
  };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', async () => {
      state.calls += 1;
      if (state.hang > 0) {
        state.hang -= 1;
        response.on('close', () => {
          state.abandoned += 1;
        });
        return;
      }
      if (state.delay > 0) await new Promise((resolve) => setTimeout(resolve, state.delay));
      const input = JSON.parse(body) as { SecretId: string; VersionStage: Stage };
      const value =
        input.SecretId === secretId ? state.versions.get(input.VersionStage) : undefined;
      response.setHeader('content-type', 'application/x-amz-json-1.1');
      if (state.failing) {
        response.statusCode = 500;
        response.end(JSON.stringify({ __type: 'InternalServiceError', message: 'failing' }));
        return;
      }
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
          CreatedDate: (state.created.get(input.VersionStage) ?? started).getTime() / 1000,
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
