#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readContext, ZegoCallbackStack } from '../lib/zego-callback-stack.js';

const app = new App();
const settings = readContext(app);
// Environment-agnostic on purpose: synth needs no AWS account or credentials.
new ZegoCallbackStack(app, settings.stackName, {
  settings,
  description: 'ZEGOCLOUD call-invitation callbacks -> verified messages on an SQS FIFO queue',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
