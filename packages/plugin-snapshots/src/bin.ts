#!/usr/bin/env node
import { runSnapshotsCli } from './cli.js';

process.exitCode = await runSnapshotsCli(process.argv.slice(2));
