import { MigrationInterface, QueryRunner } from 'typeorm';

/** Each saga instance keeps its step history (commands, replies, timeouts, operator actions). */
export class SagaHistory1796090400000 implements MigrationInterface {
  name = 'SagaHistory1796090400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Instances that exist already start with an empty history.
    await queryRunner.query(
      `ALTER TABLE "herd_saga_instance" ADD "history" text NOT NULL DEFAULT '[]'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "herd_saga_instance" DROP COLUMN "history"`);
  }
}
