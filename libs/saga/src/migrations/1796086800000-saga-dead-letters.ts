import { MigrationInterface, QueryRunner } from 'typeorm';

/** Outbox rows the broker refuses are retried with backoff, then parked in a dead-letter table. */
export class SagaDeadLetters1796086800000 implements MigrationInterface {
  name = 'SagaDeadLetters1796086800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "herd_saga_outbox" ADD "attempts" integer NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(`ALTER TABLE "herd_saga_outbox" ADD "retry_at" bigint`);
    await queryRunner.query(
      `CREATE TABLE "herd_saga_dead_letter" ("id" bigint NOT NULL, "topic" character varying(249) NOT NULL, "message_key" character varying(200) NOT NULL, "message_id" character varying(64) NOT NULL, "headers" text NOT NULL, "value" text NOT NULL, "created_at" bigint NOT NULL, "reason" text NOT NULL, "attempts" integer NOT NULL, "parked_at" bigint NOT NULL, CONSTRAINT "PK_074dff7551e6a80750e2bf78ee1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "herd_saga_dead_letter_parked_idx" ON "herd_saga_dead_letter" ("parked_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "herd_saga_dead_letter"`);
    await queryRunner.query(`ALTER TABLE "herd_saga_outbox" DROP COLUMN "retry_at"`);
    await queryRunner.query(`ALTER TABLE "herd_saga_outbox" DROP COLUMN "attempts"`);
  }
}
