import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReferenceConsumer } from '../lib/reference-consumer.js';
import { ZegoCallbackMonitoring } from '../lib/zego-callback-monitoring.js';
import { ZegoCallbackReceiver } from '../lib/zego-callback-receiver.js';
import { readContext, ZegoCallbackStack } from '../lib/zego-callback-stack.js';

const PACKS = {
  AwsSolutions: AwsSolutionsChecks,
  Serverless: ServerlessChecks,
  'NIST.800.53.R5': NIST80053R5Checks,
  'HIPAA.Security': HIPAASecurityChecks,
  'PCI.DSS.321': PCIDSS321Checks,
};
type Pack = keyof typeof PACKS;

/** A fresh app, as a user's own (no feature flags of ours), its bundling skipped. */
const inStack = (build: (stack: Stack) => void) => () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  build(new Stack(app, 'Mine'));
  return app;
};

/** What a user deploys. */
const DEPLOYMENTS: Record<string, () => App> = {
  'the receiver alone': inStack((stack) => new ZegoCallbackReceiver(stack, 'Receiver')),
  'the receiver, traced, with the replay guard': inStack(
    (stack) => new ZegoCallbackReceiver(stack, 'Receiver', { tracing: true, replayGuard: true }),
  ),
  'the receiver, its e-mail alarms and the reference consumer': inStack((stack) => {
    const receiver = new ZegoCallbackReceiver(stack, 'Receiver');
    new ZegoCallbackMonitoring(stack, 'Monitoring', { receiver, alarmEmail: 'ops@example.com' });
    new ReferenceConsumer(stack, 'Consumer', { queue: receiver.queue });
  }),
  'all of them traced, with the guard and a customer-managed key': inStack((stack) => {
    const encryptionKey = new Key(stack, 'Key', { enableKeyRotation: true });
    const receiver = new ZegoCallbackReceiver(stack, 'Receiver', {
      tracing: true,
      replayGuard: true,
      encryptionKey,
    });
    new ZegoCallbackMonitoring(stack, 'Monitoring', { receiver, alarmEmail: 'ops@example.com' });
    new ReferenceConsumer(stack, 'Consumer', {
      queue: receiver.queue,
      tracing: true,
      encryptionKey,
    });
  }),
  'the stack from CDK context, consumer and e-mail alarms on': () => {
    const context = { referenceConsumer: 'true', alarmEmail: 'ops@example.com' };
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
    new ZegoCallbackStack(app, 'FromContext', { settings: readContext(app) });
    return app;
  },
};

/** Every finding of every pack left open: `<rule> <path of the resource>`. */
function findings(deploy: () => App): Record<Pack, string[]> {
  const app = deploy();
  Validations.of(app).addPlugins(...Object.values(PACKS).map((Pack) => new Pack(app)));
  try {
    app.synth();
  } catch (error) {
    // cdk-nag errors fail synthesis; the report is written all the same.
    expect((error as Error).name).toBe('ValidationFailed');
  }
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: {
      pluginName: Pack;
      violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
    }[];
  };
  const byPack = Object.fromEntries(Object.keys(PACKS).map((pack) => [pack, [] as string[]]));
  for (const { pluginName, violations } of report.pluginReports) {
    byPack[pluginName] = violations.flatMap((v) =>
      v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`),
    );
  }
  return byPack as Record<Pack, string[]>;
}

/** The acknowledgments the constructs made, `<rule> <path>`, and the reason of each. */
function acknowledgments(deploy: () => App): Map<string, string> {
  const app = deploy();
  const found = new Map<string, string>();
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.set(`${id.replace(/^Annotation::/, '')} ${construct.node.path}`, reason);
      }
    }
  }
  return found;
}

describe('cdk-nag packs', () => {
  const open: Record<string, Record<Pack, string[]>> = {};
  beforeAll(() => {
    for (const [name, deploy] of Object.entries(DEPLOYMENTS)) open[name] = findings(deploy);
  });

  it.each(Object.keys(PACKS) as Pack[])(
    '%s leaves nothing open in any deployment, warnings included',
    (pack) => {
      const left = Object.fromEntries(Object.keys(DEPLOYMENTS).map((d) => [d, open[d]?.[pack]]));
      expect(left).toEqual(Object.fromEntries(Object.keys(DEPLOYMENTS).map((d) => [d, []])));
    },
  );
});

describe('the acknowledgments', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(Object.keys(DEPLOYMENTS))(
    'each answer a finding that fires without it, on its construct, with a reason: %s',
    (name) => {
      const deploy = DEPLOYMENTS[name] as () => App;
      const made = acknowledgments(deploy);
      vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => {});
      const fired = Object.values(findings(deploy)).flat();
      const unanswered = [...made.keys()].filter((ack) => {
        const [rule, path] = ack.split(' ');
        return !fired.some((f) => f.startsWith(`${rule} ${path}/`));
      });
      expect(unanswered).toEqual([]);
      for (const reason of made.values()) expect(reason.length).toBeGreaterThan(60);
    },
  );

  it('accept, for the receiver alone, exactly these findings', () => {
    const made = [...acknowledgments(DEPLOYMENTS['the receiver alone'] as () => App).keys()];
    const rules = (path: string) =>
      made
        .filter((ack) => ack.endsWith(` Mine/Receiver/${path}`))
        .map((ack) => ack.split(' ')[0])
        .sort();
    expect({
      Api: rules('Api'),
      QuarantineQueue: rules('QuarantineQueue'),
      DeadLetterQueue: rules('DeadLetterQueue'),
      CallbackSecret: rules('CallbackSecret'),
      AccessLogs: rules('AccessLogs'),
      HandlerLogs: rules('HandlerLogs'),
      Handler: rules('Handler'),
      HandlerPolicy: rules('HandlerRole/DefaultPolicy'),
    }).toEqual({
      Api: ['AwsSolutions-APIG4'],
      QuarantineQueue: ['AwsSolutions-SQS3', 'Serverless-SQSRedrivePolicy'],
      DeadLetterQueue: ['Serverless-SQSRedrivePolicy'],
      CallbackSecret: [
        'AwsSolutions-SMG4',
        'HIPAA.Security-SecretsManagerRotationEnabled',
        'HIPAA.Security-SecretsManagerUsingKMSKey',
        'NIST.800.53.R5-SecretsManagerRotationEnabled',
        'NIST.800.53.R5-SecretsManagerUsingKMSKey',
        'PCI.DSS.321-SecretsManagerUsingKMSKey',
      ],
      AccessLogs: [
        'HIPAA.Security-CloudWatchLogGroupEncrypted',
        'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
        'PCI.DSS.321-CloudWatchLogGroupEncrypted',
      ],
      HandlerLogs: [
        'HIPAA.Security-CloudWatchLogGroupEncrypted',
        'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
        'PCI.DSS.321-CloudWatchLogGroupEncrypted',
      ],
      Handler: [
        'HIPAA.Security-LambdaConcurrency',
        'HIPAA.Security-LambdaDLQ',
        'HIPAA.Security-LambdaInsideVPC',
        'NIST.800.53.R5-LambdaConcurrency',
        'NIST.800.53.R5-LambdaDLQ',
        'NIST.800.53.R5-LambdaInsideVPC',
        'PCI.DSS.321-LambdaInsideVPC',
        'Serverless-LambdaDLQ',
        'Serverless-LambdaTracing',
      ],
      HandlerPolicy: [
        'HIPAA.Security-IAMNoInlinePolicy',
        'NIST.800.53.R5-IAMNoInlinePolicy',
        'PCI.DSS.321-IAMNoInlinePolicy',
      ],
    });
    expect(made).toHaveLength(28);
  });

  it('accept no unencrypted finding when a customer-managed key is given: those are fixed', () => {
    const keyed = DEPLOYMENTS['all of them traced, with the guard and a customer-managed key'];
    const made = [...acknowledgments(keyed as () => App).keys()];
    expect(made.filter((ack) => /Encrypted|KMS/.test(ack))).toEqual([]);
    expect(made.filter((ack) => ack.includes('LambdaTracing'))).toEqual([]);
  });
});
