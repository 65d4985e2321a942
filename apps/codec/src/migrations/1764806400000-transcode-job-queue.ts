import { MigrationInterface, QueryRunner } from 'typeorm';

/** The job becomes a work queue with leases; the old table held fake renditions only. */
export class TranscodeJobQueue1764806400000 implements MigrationInterface {
  name = 'TranscodeJobQueue1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "transcode_job"`);
    await queryRunner.query(
      `CREATE TABLE "transcode_job" ("id" character varying(36) NOT NULL, "courseware_id" character varying(36) NOT NULL, "kind" character varying(16) NOT NULL, "status" character varying(16) NOT NULL, "command" text NOT NULL, "attempts" integer NOT NULL DEFAULT 0, "lease_owner" character varying(200), "lease_until" bigint, "progress" integer NOT NULL DEFAULT 0, "duration_seconds" double precision, "renditions" text, "failure_reason" character varying(1000), "created_at" TIMESTAMP NOT NULL DEFAULT now(), "updated_at" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "UQ_transcode_job_courseware" UNIQUE ("courseware_id"), CONSTRAINT "PK_transcode_job" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_transcode_job_claimable" ON "transcode_job" ("status", "lease_until")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "transcode_job"`);
    await queryRunner.query(
      `CREATE TABLE "transcode_job" ("id" character varying(36) NOT NULL, "courseware_id" character varying(36) NOT NULL, "status" character varying(16) NOT NULL, "renditions" text NOT NULL, "created_at" TIMESTAMP NOT NULL DEFAULT now(), "updated_at" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "UQ_transcode_job_courseware" UNIQUE ("courseware_id"), CONSTRAINT "PK_transcode_job" PRIMARY KEY ("id"))`,
    );
  }
}
