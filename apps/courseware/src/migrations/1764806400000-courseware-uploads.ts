import { MigrationInterface, QueryRunner } from 'typeorm';

/** Coursewares hold an uploaded original instead of a caller-given URI. */
export class CoursewareUploads1764806400000 implements MigrationInterface {
  name = 'CoursewareUploads1764806400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "courseware"`);
    await queryRunner.query(
      `CREATE TABLE "courseware" ("id" character varying(36) NOT NULL, "title" character varying(200) NOT NULL, "status" character varying(16) NOT NULL, "kind" character varying(16), "source" text, "duration_seconds" double precision, "renditions" text, "saga_id" character varying(36), "created_at" TIMESTAMP NOT NULL DEFAULT now(), "updated_at" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "PK_courseware" PRIMARY KEY ("id"))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "courseware"`);
    await queryRunner.query(
      `CREATE TABLE "courseware" ("id" character varying(36) NOT NULL, "title" character varying(200) NOT NULL, "source_uri" character varying(2048) NOT NULL, "source_format" character varying(16) NOT NULL, "targets" text NOT NULL, "status" character varying(16) NOT NULL, "renditions" text, "saga_id" character varying(36) NOT NULL, "created_at" TIMESTAMP NOT NULL DEFAULT now(), "updated_at" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "PK_courseware" PRIMARY KEY ("id"))`,
    );
  }
}
