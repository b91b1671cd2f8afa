import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidContextError, readStackSettings } from '../lib/context.js';
import { ZegoCallbackReceiver } from '../lib/zego-callback-receiver.js';
import { ZegoCallbackStack } from '../lib/zego-callback-stack.js';

const EXISTING_SECRET =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:zego/callback-secret-AbC123';

/**
 * Every finding cdk-nag reported and nobody acknowledged, warnings included: cdk-nag v3 fails
 * synthesis only on errors, and writes the rest to the assembly's validation report.
 */
function openFindings(app: App): string[] {
  const report = JSON.parse(
    readFileSync(join(app.synth().directory, 'validation-report.json'), 'utf8'),
  ) as { pluginReports: { violations: { ruleName: string; severity: string }[] }[] };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((v) => `${v.severity} ${v.ruleName}`),
  );
}

function synth(context: Record<string, unknown> = {}): { app: App; stack: ZegoCallbackStack } {
  const app = new App({ context });
  const settings = readStackSettings((key) => app.node.tryGetContext(key));
  const stack = new ZegoCallbackStack(app, 'Test', { settings });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

describe('the callback stack', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(synth().stack);
  });

  it('runs the handler on nodejs24.x, arm64, with an explicit timeout and memory', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 10,
      MemorySize: 512,
      Environment: {
        Variables: {
          QUEUE_URL: { Ref: Match.stringLikeRegexp('ReceiverQueue') },
          CALLBACK_SECRET_ARN: { Ref: Match.stringLikeRegexp('ReceiverCallbackSecret') },
          SIGNATURE_TOLERANCE_SECONDS: '300',
          FORWARD_EVENTS: 'call_reject',
          FORWARD_UNKNOWN_EVENTS: 'false',
          LOG_LEVEL: 'INFO',
          METRICS_NAMESPACE: 'ZegoCallbacks/Test',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('ReceiverHandlerLogs') } },
    });
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });

  it('keeps handler and access logs in log groups with a retention period', () => {
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 30 }, 2);
  });

  it('creates a high-throughput FIFO queue, encrypted, kept 14 days, redriven to a DLQ after 5 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      ContentBasedDeduplication: false,
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] },
        maxReceiveCount: 5,
      },
    });
  });

  it('makes the dead-letter queue FIFO and encrypted too', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
      RedrivePolicy: Match.absent(),
    });
    template.resourceCountIs('AWS::SQS::Queue', 2);
  });

  it('denies every non-TLS request on both queues', () => {
    const policies = template.findResources('AWS::SQS::QueuePolicy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      },
    });
    expect(Object.keys(policies)).toHaveLength(2);
  });

  it('gives the function a role with no managed policies that can send to one queue, read one secret and write its own logs', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      },
      ManagedPolicyArns: Match.absent(),
    });
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    const statements = policies[0]?.Properties.PolicyDocument.Statement as {
      Action: string[];
      Resource: unknown;
    }[];
    const sorted = statements.map((s) => ({ ...s, Action: [...s.Action].sort() }));
    expect(sorted).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ReceiverHandlerLogs/), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ReceiverQueue/), 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
        Resource: { Ref: expect.stringMatching(/^ReceiverCallbackSecret/) },
      },
    ]);
  });

  it('routes POST /zego/callback to the function, throttled, with JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /zego/callback',
      AuthorizationType: 'NONE',
    });
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] },
        Format: Match.serializedJson(
          Match.objectLike({ requestId: '$context.requestId', status: '$context.status' }),
        ),
      },
    });
  });

  it('creates a secret holding a placeholder until the operator puts ZEGOCLOUD’s value', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      SecretString: 'REPLACE_ME_WITH_THE_ZEGOCLOUD_CALLBACK_SECRET',
    });
  });

  it('outputs the callback URL, the queue URL and ARN, the DLQ URL and the secret ARN', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual([
      'CallbackSecretArn',
      'CallbackUrl',
      'DashboardName',
      'DeadLetterQueueUrl',
      'QueueArn',
      'QueueUrl',
    ]);
    expect(JSON.stringify(outputs.CallbackUrl?.Value)).toContain('/zego/callback');
  });

  it.each([
    ['the defaults', {}],
    [
      'alarm e-mail and the no-callbacks alarm',
      { alarmEmail: 'ops@example.com', noCallbacksAlarmMinutes: '60' },
    ],
    ['an existing secret', { callbackSecretArn: EXISTING_SECRET }],
  ])('leaves no cdk-nag AwsSolutions finding open with %s, warnings included', (_, context) => {
    expect(openFindings(synth(context).app)).toEqual([]);
  });
});

describe('stack settings from CDK context', () => {
  it('uses an existing secret by ARN, granting read on it alone and creating none', () => {
    const template = Template.fromStack(
      synth({ callbackSecretArn: EXISTING_SECRET, zegoAppId: '1234567890' }).stack,
    );
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['secretsmanager:GetSecretValue']),
            Resource: EXISTING_SECRET,
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          CALLBACK_SECRET_ARN: EXISTING_SECRET,
          ZEGO_APP_ID: '1234567890',
        }),
      },
    });
  });

  it('passes forwarded events, the window, throttling and retention through', () => {
    const template = Template.fromStack(
      synth({
        forwardEvents: 'call_reject,call_cancel',
        signatureToleranceSeconds: '60',
        throttleRateLimit: 5,
        throttleBurstLimit: 10,
        logRetentionDays: 7,
      }).stack,
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          FORWARD_EVENTS: 'call_reject,call_cancel',
          SIGNATURE_TOLERANCE_SECONDS: '60',
        }),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 7 }, 2);
  });

  it.each([
    [{ zegoAppId: 'my-app' }, 'zegoAppId'],
    [{ forwardEvents: 'call_reject,call_rejected' }, 'forwardEvents'],
    [{ forwardEvents: '' }, 'forwardEvents'],
    [{ signatureToleranceSeconds: '-1' }, 'signatureToleranceSeconds'],
    [{ signatureToleranceSeconds: 'five minutes' }, 'signatureToleranceSeconds'],
    [
      { callbackSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x' },
      'callbackSecretArn',
    ],
    [{ logRetentionDays: 2 }, 'logRetentionDays'],
    [{ logLevel: 'chatty' }, 'logLevel'],
    [{ alarmEmail: 'ops' }, 'alarmEmail'],
    [{ noCallbacksAlarmMinutes: -5 }, 'noCallbacksAlarmMinutes'],
    [{ referenceConsumer: 'yes' }, 'referenceConsumer'],
  ])('refuses %o at synth with a message naming %s', (context, key) => {
    const read = () => readStackSettings((k) => (context as Record<string, unknown>)[k]);
    expect(read).toThrow(InvalidContextError);
    expect(read).toThrow(key);
  });
});

describe('cdk-nag on the bare construct', () => {
  it('reports the unauthenticated route that the stack acknowledges with a reason', () => {
    const app = new App();
    const stack = new Stack(app, 'Bare');
    new ZegoCallbackReceiver(stack, 'Receiver');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-APIG4/);
  });
});

describe('monitoring', () => {
  type AlarmProps = Record<string, unknown>;
  const alarmsOf = (template: Template) =>
    Object.fromEntries(
      Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, r]) => [
        id.replace(/^Monitoring/, '').replace(/[0-9A-F]{8}$/, ''),
        r.Properties as AlarmProps,
      ]),
    );
  let template: Template;
  let alarms: Record<string, AlarmProps>;
  beforeAll(() => {
    template = Template.fromStack(synth().stack);
    alarms = alarmsOf(template);
  });

  it('has the seven alarms, each with a description that says what to check', () => {
    expect(Object.keys(alarms).sort()).toEqual([
      'Api5xx',
      'DeadLetterQueueNotEmpty',
      'FailedCallbacks',
      'HandlerErrors',
      'HandlerThrottles',
      'OldestMessageAge',
      'SignatureRefusals',
    ]);
    for (const alarm of Object.values(alarms)) {
      expect(String(alarm.AlarmDescription).length).toBeGreaterThan(80);
    }
  });

  it('alarms on sustained signature refusals from the handler’s own metrics', () => {
    expect(alarms.SignatureRefusals).toMatchObject({
      Namespace: 'ZegoCallbacks/Test',
      MetricName: 'Callbacks',
      Dimensions: expect.arrayContaining([
        { Name: 'outcome', Value: 'refused' },
        { Name: 'reason', Value: 'signature' },
      ]),
      Statistic: 'Sum',
      Period: 300,
      Threshold: 5,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on any failed callback, Lambda errors and throttles, and API 5xx', () => {
    expect(alarms.FailedCallbacks).toMatchObject({
      MetricName: 'Callbacks',
      Dimensions: [{ Name: 'outcome', Value: 'failed' }],
      Threshold: 1,
      Period: 300,
    });
    expect(alarms.HandlerErrors).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Threshold: 1,
    });
    expect(alarms.HandlerThrottles).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Threshold: 1,
    });
    expect(alarms.Api5xx).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it('alarms on a non-empty dead-letter queue and on messages waiting 15 minutes', () => {
    expect(alarms.DeadLetterQueueNotEmpty).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'QueueName'] },
        },
      ],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 1,
    });
    expect(alarms.OldestMessageAge).toMatchObject({
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [expect.stringMatching(/ReceiverQueue/), 'QueueName'] },
        },
      ],
      Threshold: 900,
      EvaluationPeriods: 3,
    });
  });

  it('sends alarm and OK notifications by e-mail only when alarmEmail is set', () => {
    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(Object.values(alarms).every((a) => a.AlarmActions === undefined)).toBe(true);
    const withEmail = Template.fromStack(synth({ alarmEmail: 'ops@example.com' }).stack);
    withEmail.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    for (const alarm of Object.values(alarmsOf(withEmail))) {
      expect(alarm.AlarmActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
      expect(alarm.OKActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
    }
  });

  it('adds the no-callbacks alarm when asked, breaching when no data arrives', () => {
    const withQuiet = alarmsOf(Template.fromStack(synth({ noCallbacksAlarmMinutes: 60 }).stack));
    expect(withQuiet.NoCallbacks?.Dimensions).toBeUndefined();
    expect(withQuiet.NoCallbacks).toMatchObject({
      MetricName: 'Callbacks',
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(alarms.NoCallbacks).toBeUndefined();
  });

  it('draws a dashboard of outcomes, refusals, latency, queue, DLQ and alarms', () => {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const title of [
      'Callbacks by outcome',
      'Refused callbacks by reason',
      'Handler latency (ms)',
      'Callback queue',
      'Dead-letter queue depth',
      'Alarms',
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain('p99');
  });

  it('stays cdk-nag clean with the e-mail topic', () => {
    const { app } = synth({ alarmEmail: 'ops@example.com', noCallbacksAlarmMinutes: 60 });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('the reference consumer', () => {
  it('is not deployed unless asked', () => {
    Template.fromStack(synth().stack).resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  });

  it('consumes the callback queue in batches of 10 with partial batch failures, on its own scoped role', () => {
    const template = Template.fromStack(synth({ referenceConsumer: 'true' }).stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReceiverQueue'), 'Arn'] },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReferenceConsumerRole'), 'Arn'] },
      Environment: {
        Variables: {
          IDEMPOTENCY_TABLE_NAME: {
            Ref: Match.stringLikeRegexp('ReferenceConsumerIdempotencyTable'),
          },
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('ReferenceConsumerRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          // What Powertools' persistence layer calls, on the table alone (no index, no wildcard).
          {
            Effect: 'Allow',
            Action: [
              'dynamodb:GetItem',
              'dynamodb:PutItem',
              'dynamodb:UpdateItem',
              'dynamodb:DeleteItem',
            ],
            Resource: [
              {
                'Fn::GetAtt': [Match.stringLikeRegexp('ReferenceConsumerIdempotencyTable'), 'Arn'],
              },
            ],
          },
          Match.objectLike({
            Action: Match.arrayWith(['sqs:ReceiveMessage', 'sqs:DeleteMessage']),
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReceiverQueue'), 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('times out in a sixth of the queue’s visibility timeout, as AWS asks of an SQS event source', () => {
    const template = Template.fromStack(synth({ referenceConsumer: 'true' }).stack);
    const [queue] = Object.values(
      template.findResources('AWS::SQS::Queue', {
        Properties: { RedrivePolicy: Match.anyValue() },
      }),
    );
    const visibility = queue?.Properties.VisibilityTimeout as number;
    const consumer = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: {
          Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReferenceConsumerRole'), 'Arn'] },
        },
      }),
    );
    expect(consumer).toHaveLength(1);
    const timeout = consumer[0]?.Properties.Timeout as number;
    expect(visibility).toBe(60);
    expect(timeout).toBe(10);
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('keeps its idempotency records in an on-demand, encrypted table with TTL and point-in-time recovery', () => {
    const template = Template.fromStack(synth({ referenceConsumer: 'true' }).stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        SSESpecification: { SSEEnabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Delete',
    });
  });

  it('refuses a batch size SQS FIFO does not allow', async () => {
    const { ReferenceConsumer } = await import('../lib/index.js');
    const stack = new Stack(new App(), 'BatchSize');
    const queue = new ZegoCallbackReceiver(stack, 'Receiver').queue;
    expect(
      () => new ReferenceConsumer(stack, 'Consumer', { queue, logRetention: 7, batchSize: 11 }),
    ).toThrow(/batchSize must be an integer from 1 to 10/);
  });

  it('leaves no cdk-nag AwsSolutions finding open, warnings included', () => {
    const { app } = synth({ referenceConsumer: true, forwardUnknownEvents: true });
    expect(openFindings(app)).toEqual([]);
  });

  it('passes forwardUnknownEvents to the handler', () => {
    Template.fromStack(synth({ forwardUnknownEvents: 'true' }).stack).hasResourceProperties(
      'AWS::Lambda::Function',
      { Environment: { Variables: Match.objectLike({ FORWARD_UNKNOWN_EVENTS: 'true' }) } },
    );
  });
});

describe('the library entry point', () => {
  it('builds the README’s example: the receiver, its monitoring and a consumer in another app', async () => {
    const { ZegoCallbackReceiver, ZegoCallbackMonitoring, ReferenceConsumer } = await import(
      '../lib/index.js'
    );
    const app = new App();
    const stack = new Stack(app, 'MyApp');
    const receiver = new ZegoCallbackReceiver(stack, 'ZegoCallbacks', {
      appId: '1234567890',
      forwardEvents: ['call_reject', 'call_cancel'],
      memorySize: 1024,
    });
    new ZegoCallbackMonitoring(stack, 'ZegoCallbackAlarms', {
      receiver,
      alarmEmail: 'ops@example.com',
    });
    new ReferenceConsumer(stack, 'MyConsumer', { queue: receiver.queue, logRetention: 7 });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Environment: {
        Variables: Match.objectLike({
          FORWARD_EVENTS: 'call_reject,call_cancel',
          ZEGO_APP_ID: '1234567890',
        }),
      },
    });
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.resourceCountIs('AWS::SNS::Subscription', 1);
  });
});

describe('the replay guard', () => {
  it('is off by default: no table, and the lean entry point', () => {
    const template = Template.fromStack(synth().stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(JSON.stringify(template.toJSON())).not.toContain('REPLAY_TABLE_NAME');
  });

  it('adds a TTL table the function may only PutItem to, and points the function at it', () => {
    const template = Template.fromStack(synth({ replayGuard: 'true' }).stack);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          REPLAY_TABLE_NAME: { Ref: Match.stringLikeRegexp('ReplayGuardTable') },
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'dynamodb:PutItem',
            Effect: 'Allow',
            Resource: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('ReplayGuardTable'), 'Arn'] }],
          },
        ]),
      },
    });
  });

  it('stays cdk-nag clean, warnings included', () => {
    expect(openFindings(synth({ replayGuard: true }).app)).toEqual([]);
  });
});
