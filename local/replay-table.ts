import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

export interface LocalReplayTable {
  /** The endpoint to give the SDK (AWS_ENDPOINT_URL_DYNAMODB). */
  readonly endpoint: string;
  readonly tableName: string;
  close(): Promise<void>;
}

/**
 * The replay guard's table on this machine: dynalite (a DynamoDB-compatible server, in this
 * process: no Docker, no Java) holding a table keyed as the stack's is, string `pk` only.
 */
export async function startLocalReplayTable(
  options: { port?: number; tableName?: string } = {},
): Promise<LocalReplayTable> {
  const tableName = options.tableName ?? 'replay-guard';
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const client = new DynamoDBClient({ endpoint });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    await close();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, tableName, close };
}
