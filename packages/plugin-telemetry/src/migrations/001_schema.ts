// The seed's target schema (config_profiles, config_applied_events, runs, run_samples, logger_events) plus
// ingested_files and rejected_rows. Every value column the logger writes is nullable: historical files hold
// missing and non-numeric cells. down drops everything this created, in reverse order.
import { defineMigration } from '@tidemark/core';
import type { Knex } from 'knex';
import { CREATION_ORDER, SAMPLE_COLUMNS, TABLES } from '../schema.js';
import type { TelemetryTarget } from '../target.js';
import { db } from '../guards/step-transaction.js';

export const schemaMigration = defineMigration<TelemetryTarget>({
  id: '001_schema',
  title: 'Create the telemetry schema (config profiles, runs, samples, logger events, ingested files, rejected rows)',
  async up({ target }) {
    await db(target).transaction(async (trx) => {
      await createTables(trx);
    });
  },
  async down({ target }) {
    await db(target).transaction(async (trx) => {
      for (const table of [...CREATION_ORDER].reverse()) await trx.schema.dropTableIfExists(table);
    });
  },
  async validate({ target }) {
    const issues = [];
    for (const table of CREATION_ORDER) {
      if (!(await db(target).schema.hasTable(table))) issues.push({ message: 'table is missing', where: table });
    }
    return issues;
  },
});

export async function createTables(knex: Knex): Promise<void> {
  await knex.schema.createTable(TABLES.configProfiles, (t) => {
    t.increments('id').primary();
    t.text('profile_name').notNullable();
    t.integer('version').notNullable();
    t.text('content_hash').notNullable();
    t.jsonb('config').notNullable();
    t.text('source').notNullable().defaultTo('import');
    t.text('source_path');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['profile_name', 'version']);
    t.unique(['profile_name', 'content_hash']);
  });
  await knex.schema.createTable(TABLES.configAppliedEvents, (t) => {
    t.increments('id').primary();
    t.integer('profile_id').notNullable().references('id').inTable(TABLES.configProfiles).onDelete('CASCADE');
    t.text('applied_by').notNullable();
    t.timestamp('applied_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('note');
  });
  await knex.schema.createTable(TABLES.runs, (t) => {
    t.increments('id').primary();
    t.timestamp('started_at', { useTz: true });
    t.text('status').notNullable();
    t.integer('config_profile_id').references('id').inTable(TABLES.configProfiles).onDelete('SET NULL');
    // 'csv' = ingested from logs/, 'dual-write' = mirrored live by TelemetryWriter.
    t.text('source').notNullable().defaultTo('csv');
    t.text('source_file');
  });
  await knex.schema.createTable(TABLES.runSamples, (t) => {
    t.bigIncrements('id').primary();
    t.integer('run_id').notNullable().references('id').inTable(TABLES.runs).onDelete('CASCADE');
    // The CSV line the sample came from: spot checks and parity join on it.
    t.integer('line_no');
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    for (const column of SAMPLE_COLUMNS) t.double(column);
    t.index(['run_id', 'line_no'], 'run_samples_run_line_idx');
  });
  await knex.schema.createTable(TABLES.loggerEvents, (t) => {
    t.bigIncrements('id').primary();
    t.integer('run_id').references('id').inTable(TABLES.runs).onDelete('CASCADE');
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.text('level').notNullable();
    t.text('message').notNullable();
    t.jsonb('data');
    // The events CSV line it came from (ingested_files.id, no foreign key so the tables drop in any order).
    t.integer('file_id');
    t.integer('line_no');
    t.index(['file_id', 'line_no'], 'logger_events_file_line_idx');
  });
  await knex.schema.createTable(TABLES.ingestedFiles, (t) => {
    t.increments('id').primary();
    // A file is its path plus the hash of the prefix ingested so far (size_bytes long, `lines` lines): a
    // growing file adds to its run; a changed prefix is a conflict, never a second run.
    t.text('path').notNullable().unique();
    t.text('content_hash').notNullable().index();
    t.bigInteger('size_bytes').notNullable();
    t.integer('lines');
    t.integer('copy_of').references('id').inTable(TABLES.ingestedFiles).onDelete('SET NULL');
    t.text('conflict');
    // 'samples' (a telemetry CSV -> run + run_samples) or 'events' (an events CSV -> logger_events).
    t.text('kind').notNullable().defaultTo('samples');
    t.integer('run_id').references('id').inTable(TABLES.runs).onDelete('SET NULL');
    t.integer('data_lines');
    t.integer('inserted');
    t.integer('rejected');
    t.integer('blank_lines');
    t.integer('null_cells');
    t.text('header');
    t.jsonb('mapping');
    t.jsonb('unmapped_columns');
    t.timestamp('ingested_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.createTable(TABLES.rejectedRows, (t) => {
    t.bigIncrements('id').primary();
    t.integer('file_id').notNullable().references('id').inTable(TABLES.ingestedFiles).onDelete('CASCADE');
    t.text('file').notNullable();
    t.integer('line_no').notNullable();
    t.text('raw').notNullable();
    t.text('reason').notNullable();
  });
}
