import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The saga tables (instances, outbox, inbox) for PostgreSQL. Add it to the service's migrations
 * beside `SAGA_ENTITIES`; `saga-schema.int-spec.ts` proves it matches the entities exactly.
 */
export class SagaSchema1764201600000 implements MigrationInterface {
  name = 'SagaSchema1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "herd_saga_inbox" ("consumer" character varying(200) NOT NULL, "message_id" character varying(64) NOT NULL, "processed_at" bigint NOT NULL, CONSTRAINT "PK_6c14363e0885cd617c914541167" PRIMARY KEY ("consumer", "message_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "herd_saga_inbox_processed_idx" ON "herd_saga_inbox" ("processed_at")`,
    );
    await queryRunner.query(
      `CREATE TABLE "herd_saga_instance" ("id" character varying(64) NOT NULL, "saga_type" character varying(200) NOT NULL, "definition_version" integer NOT NULL, "state" character varying(16) NOT NULL, "step_index" integer NOT NULL, "attempt" integer NOT NULL, "data" text NOT NULL, "awaiting_message_id" character varying(64), "deadline_at" bigint, "step_started_at" bigint NOT NULL, "failure_reason" text, "correlation_id" character varying(64) NOT NULL, "traceparent" character varying(55) NOT NULL, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "PK_4eceb250a5d23b6ff252c6322da" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "herd_saga_instance_deadline_idx" ON "herd_saga_instance" ("deadline_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "herd_saga_instance_state_idx" ON "herd_saga_instance" ("state", "saga_type")`,
    );
    await queryRunner.query(
      `CREATE TABLE "herd_saga_outbox" ("id" SERIAL NOT NULL, "topic" character varying(249) NOT NULL, "message_key" character varying(200) NOT NULL, "message_id" character varying(64) NOT NULL, "headers" text NOT NULL, "value" text NOT NULL, "created_at" bigint NOT NULL, "sent_at" bigint, "lease_until" bigint, CONSTRAINT "PK_cac343e98071c9bd249b3a8ed5e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "herd_saga_outbox_sent_idx" ON "herd_saga_outbox" ("sent_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "herd_saga_outbox_unsent_idx" ON "herd_saga_outbox" ("id") WHERE sent_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "herd_saga_outbox"`);
    await queryRunner.query(`DROP TABLE "herd_saga_instance"`);
    await queryRunner.query(`DROP TABLE "herd_saga_inbox"`);
  }
}
