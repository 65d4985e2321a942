import { MigrationInterface, QueryRunner } from 'typeorm';

/** A create retried with the same `Idempotency-Key` finds the courseware the first one made. */
export class CoursewareIdempotencyKey1764892800000 implements MigrationInterface {
  name = 'CoursewareIdempotencyKey1764892800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "courseware" ADD "idempotency_key" character varying(200), ADD CONSTRAINT "UQ_courseware_idempotency_key" UNIQUE ("idempotency_key")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "courseware" DROP COLUMN "idempotency_key"`);
  }
}
