#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { ArchlintValidator } from 'archlint/cdk';
import { ShopStack } from '../lib/shop-stack';

const app = new App();

// Lint every synthesized template. The configuration is ../archlint.config.yaml (found upward from the
// folder `cdk synth` runs in, like the CLI does); errors fail the synthesis. Override the threshold with
// `cdk synth -c archlint:failOn=none`.
Validations.of(app).addPlugins(new ArchlintValidator());

new ShopStack(app, 'ShopProd', {
  tags: { env: 'prod' },
  openSsh: app.node.tryGetContext('openSsh') === 'true' || app.node.tryGetContext('openSsh') === true,
});
