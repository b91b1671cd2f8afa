import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { type CfnKey, Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { HostedZone } from 'aws-cdk-lib/aws-route53';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../lambda/settings.js';
import { InvalidPropsError } from '../lib/props.js';
import { ReferenceConsumer } from '../lib/reference-consumer.js';
import { ZegoCallbackMonitoring } from '../lib/zego-callback-monitoring.js';
import {
  ZegoCallbackReceiver,
  type ZegoCallbackReceiverProps,
} from '../lib/zego-callback-receiver.js';
import { InvalidContextError, readContext, ZegoCallbackStack } from '../lib/zego-callback-stack.js';

const EXISTING_SECRET =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:zego/callback-secret-AbC123';
const CERTIFICATE =
  'arn:aws:acm:eu-west-1:123456789012:certificate/0f3a7c1e-1111-2222-3333-444455556666';
/** The feature flags `cdk synth` runs with: the stack is tested as it deploys. */
const FLAGS = (
  JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

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
  const app = new App({ context: { ...FLAGS, ...context } });
  const stack = new ZegoCallbackStack(app, 'Test', { settings: readContext(app) });
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
      MemorySize: SETTINGS.memorySize.default,
      Environment: {
        Variables: {
          QUEUE_URL: { Ref: Match.stringLikeRegexp('ReceiverQueue') },
          CALLBACK_SECRET_ID: { Ref: Match.stringLikeRegexp('ReceiverCallbackSecret') },
          SIGNATURE_TOLERANCE_SECONDS: String(SETTINGS.signatureToleranceSeconds.default),
          PREVIOUS_SECRET_HOURS: String(SETTINGS.previousSecretHours.default),
          FORWARD_EVENTS: SETTINGS.forwardEvents.default.join(','),
          FORWARD_UNKNOWN_EVENTS: String(SETTINGS.forwardUnknownEvents.default),
          LOG_LEVEL: SETTINGS.logLevel.default,
          METRICS_NAMESPACE: 'ZegoCallbacks/Test/Receiver',
          QUARANTINE_QUEUE_URL: { Ref: Match.stringLikeRegexp('ReceiverQuarantineQueue') },
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('ReceiverHandlerLogs') } },
    });
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });

  it('keeps handler and access logs in log groups with a retention period', () => {
    template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { RetentionInDays: SETTINGS.logRetentionDays.default },
      2,
    );
  });

  it('creates a high-throughput FIFO queue, encrypted, kept 14 days, redriven to a DLQ after 5 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      MaximumMessageSize: 1_048_576,
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
      MaximumMessageSize: 1_048_576,
      RedrivePolicy: Match.absent(),
    });
    template.resourceCountIs('AWS::SQS::Queue', 3);
  });

  it('keeps quarantined callbacks on a high-throughput FIFO queue, encrypted, 14 days, with no redrive', () => {
    const quarantine = Object.entries(template.findResources('AWS::SQS::Queue')).filter(([id]) =>
      id.startsWith('ReceiverQuarantineQueue'),
    );
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]?.[1].Properties).toEqual({
      FifoQueue: true,
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1_209_600,
      MaximumMessageSize: 1_048_576,
    });
  });

  it('allows every queue SQS’s largest message, 1 MiB: a 64 KiB body can escape to about 6 times its size', () => {
    const sizes = Object.values(template.findResources('AWS::SQS::Queue')).map(
      (queue) => queue.Properties.MaximumMessageSize,
    );
    expect(sizes).toEqual([1_048_576, 1_048_576, 1_048_576]);
    // Every byte of the largest accepted body a control character: `\u00XX` is 6 bytes.
    expect(6 * 64 * 1024).toBeLessThan(1_048_576);
  });

  it('denies every non-TLS request on every queue', () => {
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
    expect(Object.keys(policies)).toHaveLength(3);
  });

  it('gives the function a role with no managed policies that can send to its two queues, read one secret and write its own logs', () => {
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
        Resource: [
          { 'Fn::GetAtt': [expect.stringMatching(/^ReceiverQuarantineQueue/), 'Arn'] },
          { 'Fn::GetAtt': [expect.stringMatching(/^ReceiverQueue/), 'Arn'] },
        ],
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
      DefaultRouteSettings: {
        ThrottlingRateLimit: SETTINGS.throttleRateLimit.default,
        ThrottlingBurstLimit: SETTINGS.throttleBurstLimit.default,
      },
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

  it('outputs the callback URL, the queue URL and ARN, the DLQ and quarantine URLs and the secret ARN', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual([
      'CallbackSecretArn',
      'CallbackUrl',
      'DashboardName',
      'DeadLetterQueueUrl',
      'QuarantineQueueUrl',
      'QueueArn',
      'QueueUrl',
    ]);
    expect(outputs.QuarantineQueueUrl?.Value).toEqual({
      Ref: expect.stringMatching(/^ReceiverQuarantineQueue/),
    });
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
          CALLBACK_SECRET_ID: EXISTING_SECRET,
          ZEGO_APP_ID: '1234567890',
        }),
      },
    });
  });

  it('passes forwarded events, the window, the rotation bound, throttling and retention through', () => {
    const template = Template.fromStack(
      synth({
        forwardEvents: 'call_reject,call_cancel',
        signatureToleranceSeconds: '60',
        previousSecretHours: '0',
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
          PREVIOUS_SECRET_HOURS: '0',
        }),
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { RetentionInDays: 7 }, 2);
  });

  it('serves the callback URL on a custom domain with an alias record, from ARNs and IDs alone', () => {
    const { app, stack } = synth({
      domainName: 'callbacks.example.com',
      certificateArn: CERTIFICATE,
      hostedZoneId: 'Z0123456789ABC',
      hostedZoneName: 'example.com',
      memorySize: '1024',
    });
    const template = Template.fromStack(stack);
    expect(template.findOutputs('CallbackUrl').CallbackUrl?.Value).toBe(
      'https://callbacks.example.com/zego/callback',
    );
    template.resourceCountIs('AWS::Route53::RecordSet', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { MemorySize: 1024 });
    expect(openFindings(app)).toEqual([]);
  });

  it.each([
    [{}, false],
    [{ domainName: 'callbacks.example.com', certificateArn: CERTIFICATE }, true],
    [
      {
        domainName: 'callbacks.example.com',
        certificateArn: CERTIFICATE,
        keepExecuteApiEndpoint: 'true',
      },
      false,
    ],
  ])('with context %o, DisableExecuteApiEndpoint is %s', (context, disabled) => {
    const apis = Template.fromStack(synth(context).stack).findResources('AWS::ApiGatewayV2::Api');
    expect(Object.values(apis).map((api) => api.Properties)).toEqual([
      {
        Name: 'Api',
        ProtocolType: 'HTTP',
        Description: 'Receives ZEGOCLOUD In-app Chat call-invitation callbacks',
        DisableExecuteApiEndpoint: disabled,
      },
    ]);
  });

  it('takes the hosted zone name as Route 53 spells it, with the final dot', () => {
    const { stack } = synth({
      domainName: 'callbacks.example.com',
      certificateArn: CERTIFICATE,
      hostedZoneId: 'Z0123456789ABC',
      hostedZoneName: 'example.com.',
    });
    const records = Template.fromStack(stack).findResources('AWS::Route53::RecordSet');
    expect(
      Object.values(records).map((r) => [r.Properties.Name, r.Properties.HostedZoneId]),
    ).toEqual([['callbacks.example.com.', 'Z0123456789ABC']]);
  });

  it('names only the refused value, not the pair it belongs to, when one is malformed', () => {
    const context: Record<string, string> = {
      domainName: 'callbacks.example.com',
      certificateArn: CERTIFICATE,
      hostedZoneId: 'Z0123456789ABC',
      hostedZoneName: 'example..com',
    };
    expect(() => readContext(new App({ context }))).toThrow(
      new InvalidContextError([
        'hostedZoneName must be the zone name, such as example.com or, as Route 53 spells it, example.com., got "example..com"',
      ]),
    );
  });

  it('refuses a context key it does not know, rather than ignoring a typo, and leaves the CDK’s own', () => {
    const context = (keys: string[]) =>
      new App({ context: Object.fromEntries(keys.map((key) => [key, 'true'])) });
    const given = ['zegoAppID', 'forwardEvent', '@aws-cdk/core:checkSecretUsage', 'aws:cdk:x'];
    expect(() => readContext(context(given))).toThrow(
      new InvalidContextError([
        'zegoAppID is not a context key of this stack: did you mean zegoAppId?',
        'forwardEvent is not a context key of this stack (README: Configuration)',
      ]),
    );
    expect(() => readContext(context(given.slice(2)))).not.toThrow();
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
    [{ memorySize: 100 }, 'memorySize'],
    [{ stackName: '1st' }, 'stackName'],
    [{ domainName: 'Callbacks Example' }, 'domainName'],
    [{ certificateArn: 'arn:aws:acm:eu-west-1:123456789012:cert/x' }, 'certificateArn'],
    [{ hostedZoneId: 'Z0123456789ABC' }, 'hostedZoneName'],
  ])('refuses %o at synth with a message naming %s', (context, key) => {
    const read = () => synth(context);
    expect(read).toThrow(InvalidContextError);
    expect(read).toThrow(key);
  });

  // The domain's parts are checked once, by the receiver, whether they come from context or props.
  it.each([
    [{ domainName: 'callbacks.example.com' }, 'certificateArn'],
    [{ certificateArn: CERTIFICATE }, 'domainName and certificate'],
    [{ keepExecuteApiEndpoint: 'true' }, 'keepExecuteApiEndpoint needs domainName'],
    [
      { hostedZoneId: 'Z0123456789ABC', hostedZoneName: 'example.com' },
      'hostedZone needs domainName',
    ],
    [
      {
        domainName: 'callbacks.example.org',
        certificateArn: CERTIFICATE,
        hostedZoneId: 'Z0123456789ABC',
        hostedZoneName: 'example.com',
      },
      'domainName "callbacks.example.org" is not in the zone "example.com"',
    ],
  ])('refuses the custom domain %o at synth, the receiver naming %s', (context, words) => {
    const read = () => synth(context);
    expect(read).toThrow(InvalidPropsError);
    expect(read).toThrow(words);
  });
});

describe('the construct alone', () => {
  /** A fresh app, as a user's own: no feature flags of ours, cdk-nag on. */
  function bare(props: ZegoCallbackReceiverProps = {}) {
    const app = new App();
    const stack = new Stack(app, 'Bare');
    const receiver = new ZegoCallbackReceiver(stack, 'Receiver', props);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    return { app, stack, receiver };
  }

  it.each<[string, ZegoCallbackReceiverProps]>([
    ['its defaults', {}],
    ['the replay guard', { replayGuard: true }],
  ])(
    'alone in a fresh app, leaves no cdk-nag AwsSolutions finding open with %s: it acknowledges its own, with reasons',
    (_, props) => {
      expect(openFindings(bare(props).app)).toEqual([]);
    },
  );

  it.each<[string, ZegoCallbackReceiverProps, string]>([
    ['no event to forward', { forwardEvents: [] }, 'forwardEvents'],
    [
      'an unknown event',
      { forwardEvents: ['call_reject', 'call_rejected' as 'call_reject'] },
      'forwardEvents',
    ],
    ['a negative tolerance', { signatureToleranceSeconds: -1 }, 'signatureToleranceSeconds'],
    ['a fractional tolerance', { signatureToleranceSeconds: 1.5 }, 'signatureToleranceSeconds'],
    ['a non-numeric AppID', { zegoAppId: 'my-app' }, 'zegoAppId'],
    ['an unknown log level', { logLevel: 'TRACE' as 'INFO' }, 'logLevel'],
    ['too little memory', { memorySize: 64 }, 'memorySize'],
    [
      'a retention CloudWatch does not offer',
      { logRetentionDays: 2 as RetentionDays },
      'logRetentionDays',
    ],
    ['no throttle rate', { throttleRateLimit: 0, throttleBurstLimit: 10 }, 'throttleRateLimit'],
    ['a route path without /', { routePath: 'callback' }, 'routePath'],
  ])('refuses %s in the constructor, naming the prop', (_, props, prop) => {
    const build = () => bare(props);
    expect(build).toThrow(InvalidPropsError);
    expect(build).toThrow(new RegExp(`- ${prop.replace('.', '\\.')} must be`));
  });

  it('refuses a bad monitoring prop, naming it', () => {
    const app = new App();
    const stack = new Stack(app, 'Bare');
    const receiver = new ZegoCallbackReceiver(stack, 'Receiver');
    expect(
      () =>
        new ZegoCallbackMonitoring(stack, 'Monitoring', {
          receiver,
          alarmEmail: 'ops',
          oldestMessageAlarmSeconds: 10,
        }),
    ).toThrow(/alarmEmail must be an e-mail address.*\n.*oldestMessageAlarmSeconds must be/s);
  });

  it('fails `cdk synth` on a bad prop: the app never reaches the assembly', () => {
    expect(() => bare({ forwardEvents: [] }).app.synth()).toThrow(/forwardEvents/);
  });

  it('writes its logs to an existing log group, creating none for the function', () => {
    Template.fromStack(bare().stack).resourceCountIs('AWS::Logs::LogGroup', 2);
    const app = new App();
    const withLogs = new Stack(app, 'WithLogs');
    new ZegoCallbackReceiver(withLogs, 'Receiver', {
      logGroup: LogGroup.fromLogGroupName(withLogs, 'Existing', 'my-logs'),
    });
    const template = Template.fromStack(withLogs);
    template.resourceCountIs('AWS::Logs::LogGroup', 1); // the access log only
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: 'my-logs' },
    });
  });

  it('sends to an existing FIFO queue, creating no queue but the quarantine, and stays cdk-nag clean', () => {
    const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:calls.fifo';
    const app = new App();
    const stack = new Stack(app, 'Mine');
    const receiver = new ZegoCallbackReceiver(stack, 'Receiver', {
      queue: Queue.fromQueueArn(stack, 'Calls', queueArn),
    });
    new ZegoCallbackMonitoring(stack, 'Monitoring', { receiver });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 1);
    expect(receiver.deadLetterQueue).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Resource: queueArn })]),
      },
    });
    expect(openFindings(app)).toEqual([]);
  });

  it('refuses an existing queue that is not FIFO, naming the prop', () => {
    const app = new App();
    const stack = new Stack(app, 'Mine');
    const queue = Queue.fromQueueArn(stack, 'Calls', 'arn:aws:sqs:eu-west-1:123456789012:calls');
    expect(() => new ZegoCallbackReceiver(stack, 'Receiver', { queue })).toThrow(
      /queue must be a FIFO queue/,
    );
  });

  describe('with a custom domain', () => {
    const withDomain = (hostedZone: boolean) => {
      const app = new App();
      const stack = new Stack(app, 'Domain');
      const receiver = new ZegoCallbackReceiver(stack, 'Receiver', {
        domainName: 'callbacks.example.com',
        certificate: Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE),
        hostedZone: hostedZone
          ? HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
              hostedZoneId: 'Z0123456789ABC',
              zoneName: 'example.com',
            })
          : undefined,
      });
      new ZegoCallbackMonitoring(stack, 'Monitoring', { receiver });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      return { app, stack, receiver };
    };

    it('maps the domain to the stage and gives the callback URL on it', () => {
      const { stack, receiver } = withDomain(false);
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
        DomainName: 'callbacks.example.com',
        DomainNameConfigurations: [Match.objectLike({ CertificateArn: CERTIFICATE })],
      });
      template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
      template.resourceCountIs('AWS::Route53::RecordSet', 0);
      expect(receiver.callbackUrl).toBe('https://callbacks.example.com/zego/callback');
    });

    it('adds an alias record in the hosted zone when given one, offline, and stays cdk-nag clean', () => {
      const { app, stack } = withDomain(true);
      Template.fromStack(stack).hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'callbacks.example.com.',
        Type: 'A',
        HostedZoneId: 'Z0123456789ABC',
        AliasTarget: Match.objectLike({
          DNSName: {
            'Fn::GetAtt': [Match.stringLikeRegexp('CallbackDomain'), 'RegionalDomainName'],
          },
        }),
      });
      expect(openFindings(app)).toEqual([]);
    });

    it('refuses a domain outside the hosted zone, naming the prop', () => {
      const app = new App();
      const stack = new Stack(app, 'Domain');
      const build = () =>
        new ZegoCallbackReceiver(stack, 'Receiver', {
          domainName: 'callbacks.example.org',
          certificate: Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE),
          hostedZone: HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
            hostedZoneId: 'Z0123456789ABC',
            zoneName: 'example.com',
          }),
        });
      expect(build).toThrow(
        new InvalidPropsError('ZegoCallbackReceiver', [
          'domainName "callbacks.example.org" is not in the zone "example.com"',
        ]),
      );
    });
  });
});

describe('two receivers in one stack', () => {
  it('write their metrics in two namespaces, and each one’s alarms read its own', () => {
    const stack = new Stack(new App(), 'Two');
    const receivers = ['Receiver', 'Other'].map((id) => new ZegoCallbackReceiver(stack, id));
    for (const receiver of receivers) {
      new ZegoCallbackMonitoring(stack, `${receiver.node.id}Monitoring`, { receiver });
    }
    expect(receivers.map((r) => r.metricsNamespace)).toEqual([
      'ZegoCallbacks/Two/Receiver',
      'ZegoCallbacks/Two/Other',
    ]);
    const template = Template.fromStack(stack);
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
    expect(
      functions.map(([id, f]) => [
        id.slice(0, 5),
        f.Properties.Environment.Variables.METRICS_NAMESPACE,
      ]),
    ).toEqual([
      ['Recei', 'ZegoCallbacks/Two/Receiver'],
      ['Other', 'ZegoCallbacks/Two/Other'],
    ]);
    // Every alarm on the callback metrics, by the monitoring it belongs to.
    const namespaces = Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
      .filter(([, alarm]) => String(alarm.Properties.Namespace).startsWith('ZegoCallbacks'))
      .map(([id, alarm]) => `${id.replace(/Monitoring.*/, '')} ${alarm.Properties.Namespace}`);
    expect(namespaces.sort()).toEqual([
      ...Array(3).fill('Other ZegoCallbacks/Two/Other'),
      ...Array(3).fill('Receiver ZegoCallbacks/Two/Receiver'),
    ]);
  });

  it('may not be given one namespace: each one’s alarms would count the other’s callbacks', () => {
    const stack = new Stack(new App(), 'Two');
    new ZegoCallbackReceiver(stack, 'Receiver', { metricsNamespace: 'Calls' });
    expect(() => new ZegoCallbackReceiver(stack, 'Other', { metricsNamespace: 'Calls' })).toThrow(
      new InvalidPropsError('ZegoCallbackReceiver', [
        'metricsNamespace "Calls" is also Two/Receiver\'s: their alarms would count each other\'s callbacks',
      ]),
    );
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

  it('has the eight alarms, each with a description that says what to check', () => {
    expect(Object.keys(alarms).sort()).toEqual([
      'Api5xx',
      'DeadLetterQueueNotEmpty',
      'FailedCallbacks',
      'HandlerErrors',
      'HandlerThrottles',
      'OldestMessageAge',
      'QuarantinedCallbacks',
      'SignatureRefusals',
    ]);
    for (const alarm of Object.values(alarms)) {
      expect(String(alarm.AlarmDescription).length).toBeGreaterThan(80);
    }
  });

  it('alarms on sustained signature refusals from the handler’s own metrics', () => {
    expect(alarms.SignatureRefusals).toMatchObject({
      Namespace: 'ZegoCallbacks/Test/Receiver',
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

  it('alarms on any quarantined callback in 5 minutes, saying what it means and where to look', () => {
    expect(alarms.QuarantinedCallbacks).toMatchObject({
      Namespace: 'ZegoCallbacks/Test/Receiver',
      MetricName: 'Callbacks',
      Dimensions: [{ Name: 'outcome', Value: 'quarantined' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    const description = String(alarms.QuarantinedCallbacks?.AlarmDescription);
    for (const words of [
      'signed',
      'answered 200',
      'QuarantineQueueUrl',
      'upgrade',
      'docs/operations.md',
    ]) {
      expect(description).toContain(words);
    }
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
      'Quarantine queue depth',
      'Alarms',
    ]) {
      expect(body).toContain(title);
    }
    expect(body).toContain('p99');
    expect(body).toMatch(/label[^a-z]+quarantined/);
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
            // Sorted and merged, as @aws-cdk/aws-iam:minimizePolicies writes them.
            Action: [
              'dynamodb:DeleteItem',
              'dynamodb:GetItem',
              'dynamodb:PutItem',
              'dynamodb:UpdateItem',
            ],
            Resource: {
              'Fn::GetAtt': [Match.stringLikeRegexp('ReferenceConsumerIdempotencyTable'), 'Arn'],
            },
          },
          Match.objectLike({
            Action: Match.arrayWith(['sqs:DeleteMessage', 'sqs:ReceiveMessage']),
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
    expect(() => new ReferenceConsumer(stack, 'Consumer', { queue, batchSize: 11 })).toThrow(
      /batchSize must be an integer from 1 to 10/,
    );
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
      zegoAppId: '1234567890',
      forwardEvents: ['call_reject', 'call_cancel'],
      memorySize: 1024,
    });
    new ZegoCallbackMonitoring(stack, 'ZegoCallbackAlarms', {
      receiver,
      alarmEmail: 'ops@example.com',
    });
    new ReferenceConsumer(stack, 'MyConsumer', { queue: receiver.queue, logRetentionDays: 7 });
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
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('ReplayGuardTable'), 'Arn'] },
          },
        ]),
      },
    });
  });

  it('stays cdk-nag clean, warnings included', () => {
    expect(openFindings(synth({ replayGuard: true }).app)).toEqual([]);
  });
});

describe('tracing', () => {
  const xray = {
    Effect: 'Allow',
    Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
    Resource: '*',
  };
  const functionsOf = (template: Template) =>
    Object.values(template.findResources('AWS::Lambda::Function')).map((f) => [
      f.Properties.Role['Fn::GetAtt'][0].replace(/[0-9A-F]{8}$/, ''),
      f.Properties.TracingConfig,
    ]);
  const statementsOf = (template: Template) =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement,
    );

  it('is off by default: no function traced, no X-Ray permission', () => {
    const template = Template.fromStack(synth({ referenceConsumer: 'true' }).stack);
    expect(functionsOf(template)).toEqual([
      ['ReceiverHandlerRole', undefined],
      ['ReferenceConsumerRole', undefined],
    ]);
    expect(JSON.stringify(statementsOf(template))).not.toContain('xray:');
  });

  it('traces the receiver and the consumer actively, each role allowed to send segments', () => {
    const template = Template.fromStack(
      synth({ tracing: 'true', referenceConsumer: 'true' }).stack,
    );
    expect(functionsOf(template)).toEqual([
      ['ReceiverHandlerRole', { Mode: 'Active' }],
      ['ReferenceConsumerRole', { Mode: 'Active' }],
    ]);
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies.map((p) => p.Properties.PolicyDocument.Statement[1])).toEqual([xray, xray]);
    // HTTP APIs have no X-Ray on the stage: nothing to switch on there.
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { TracingEnabled: Match.absent() });
  });
});

describe('a customer-managed key (encryptionKey)', () => {
  let template: Template;
  let key: { 'Fn::GetAtt': [string, 'Arn'] };
  beforeAll(() => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Keyed');
    const encryptionKey = new Key(stack, 'Key', { enableKeyRotation: true });
    const receiver = new ZegoCallbackReceiver(stack, 'Receiver', {
      replayGuard: true,
      encryptionKey,
    });
    new ZegoCallbackMonitoring(stack, 'Monitoring', { receiver, alarmEmail: 'ops@example.com' });
    new ReferenceConsumer(stack, 'Consumer', { queue: receiver.queue, encryptionKey });
    template = Template.fromStack(stack);
    key = { 'Fn::GetAtt': [stack.getLogicalId(encryptionKey.node.defaultChild as CfnKey), 'Arn'] };
  });
  const keysOf = (type: string, property: (properties: Record<string, unknown>) => unknown) =>
    Object.values(template.findResources(type)).map((r) => property(r.Properties));

  it('encrypts every queue, the secret, every log group, both tables and the alarm topic with it', () => {
    expect(keysOf('AWS::SQS::Queue', (p) => [p.KmsMasterKeyId, p.SqsManagedSseEnabled])).toEqual(
      Array(3).fill([key, undefined]),
    );
    expect(keysOf('AWS::SecretsManager::Secret', (p) => p.KmsKeyId)).toEqual([key]);
    expect(keysOf('AWS::Logs::LogGroup', (p) => p.KmsKeyId)).toEqual([key, key, key]);
    expect(keysOf('AWS::DynamoDB::Table', (p) => p.SSESpecification)).toEqual(
      Array(2).fill({ KMSMasterKeyId: key, SSEEnabled: true, SSEType: 'KMS' }),
    );
    expect(keysOf('AWS::SNS::Topic', (p) => p.KmsMasterKeyId)).toEqual([key]);
  });

  it('lets CloudWatch Logs use it for this account’s log groups, and CloudWatch publish alarms with it', () => {
    const [policy] = keysOf('AWS::KMS::Key', (p) => p.KeyPolicy) as {
      Statement: Record<string, unknown>[];
    }[];
    const region = { Ref: 'AWS::Region' };
    expect(policy?.Statement).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Principal: { Service: { 'Fn::Join': ['', ['logs.', region, '.amazonaws.com']] } },
          Action: [
            'kms:Encrypt*',
            'kms:Decrypt*',
            'kms:ReEncrypt*',
            'kms:GenerateDataKey*',
            'kms:Describe*',
          ],
          Resource: '*',
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':logs:',
                    region,
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':log-group:*',
                  ],
                ],
              },
            },
          },
        },
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Resource: '*',
        },
      ]),
    );
  });

  it('lets each function encrypt and decrypt with it, on that key alone', () => {
    const kms = Object.values(template.findResources('AWS::IAM::Policy')).map((p) =>
      (p.Properties.PolicyDocument.Statement as { Action: string[]; Resource: unknown }[])
        .filter((s) => JSON.stringify(s.Action).includes('kms:'))
        .map((s) => [[s.Action].flat().sort(), s.Resource]),
    );
    const encryptDecrypt = [
      ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
      key,
    ];
    // The consumer also decrypts what it receives; the receiver's secret read goes through the key policy.
    expect(kms).toEqual([[encryptDecrypt], [encryptDecrypt, [['kms:Decrypt'], key]]]);
  });

  it('comes from CDK context as an ARN, for every queue', () => {
    const arn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const keyed = Template.fromStack(synth({ encryptionKeyArn: arn }).stack);
    expect(
      Object.values(keyed.findResources('AWS::SQS::Queue')).map((q) => q.Properties.KmsMasterKeyId),
    ).toEqual([arn, arn, arn]);
  });
});
