// An app's own migrations, as an app would write them: every statement through transactionOf(ctx).
import { defineMigration } from '@tidemark/core';
import type { Knex } from 'knex';
import type { DataSource } from 'typeorm';
import { transactionOf } from '../transaction.js';

export const knexMigrations = [
  defineMigration<Knex>({
    id: '001_users',
    title: 'users table',
    async up(ctx) {
      await transactionOf(ctx).schema.createTable('users', (t) => {
        t.integer('id').primary();
        t.text('name').notNullable();
      });
    },
    async down(ctx) {
      await transactionOf(ctx).schema.dropTable('users');
    },
  }),
  defineMigration<Knex>({
    id: '002_nickname',
    title: 'users get a nickname, filled from their name',
    requires: ['001_users'],
    async up(ctx) {
      const db = transactionOf(ctx);
      await db.schema.alterTable('users', (t) => t.text('nickname'));
      await db('users').update({ nickname: db.raw('lower(name)') });
    },
    async down(ctx) {
      await transactionOf(ctx).schema.alterTable('users', (t) => t.dropColumn('nickname'));
    },
    async validate(ctx) {
      const missing = await transactionOf(ctx)('users')
        .whereNull('nickname')
        .count<{ n: number | string }[]>({ n: '*' });
      return Number(missing[0]?.n) > 0
        ? [{ message: `${missing[0]?.n} users without a nickname`, where: 'users.nickname' }]
        : [];
    },
  }),
];

export const typeormMigrations = [
  defineMigration<DataSource>({
    id: '001_users',
    title: 'users table',
    async up(ctx) {
      await transactionOf(ctx).query('CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL)');
    },
    async down(ctx) {
      await transactionOf(ctx).query('DROP TABLE users');
    },
  }),
  defineMigration<DataSource>({
    id: '002_nickname',
    title: 'users get a nickname, filled from their name',
    requires: ['001_users'],
    async up(ctx) {
      const db = transactionOf(ctx);
      await db.query('ALTER TABLE users ADD COLUMN nickname text');
      await db.query('UPDATE users SET nickname = lower(name)');
    },
    async down(ctx) {
      await transactionOf(ctx).query('ALTER TABLE users DROP COLUMN nickname');
    },
  }),
];
