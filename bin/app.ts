#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStackSettings } from '../lib/context.js';
import { ZegoCallbackStack } from '../lib/zego-callback-stack.js';

const app = new App();
const settings = readStackSettings(
  (key) => app.node.tryGetContext(key),
  Object.keys(app.node.getAllContext()),
);
// Environment-agnostic on purpose: synth needs no AWS account or credentials.
new ZegoCallbackStack(app, settings.stackName, {
  settings,
  description: 'ZEGOCLOUD call-invitation callbacks -> verified messages on an SQS FIFO queue',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
