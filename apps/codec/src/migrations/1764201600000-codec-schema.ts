import { MigrationInterface, QueryRunner } from 'typeorm';

export class CodecSchema1764201600000 implements MigrationInterface {
  name = 'CodecSchema1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "transcode_job" ("id" character varying(36) NOT NULL, "courseware_id" character varying(36) NOT NULL, "status" character varying(16) NOT NULL, "renditions" text NOT NULL, "created_at" TIMESTAMP NOT NULL DEFAULT now(), "updated_at" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "UQ_transcode_job_courseware" UNIQUE ("courseware_id"), CONSTRAINT "PK_transcode_job" PRIMARY KEY ("id"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "transcode_job"`);
  }
}
