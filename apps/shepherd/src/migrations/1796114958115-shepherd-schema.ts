import { MigrationInterface, QueryRunner } from 'typeorm';

export class ShepherdSchema1796114958115 implements MigrationInterface {
  name = 'ShepherdSchema1796114958115';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "scaling_decision" ("id" character varying(36) NOT NULL, "app" character varying(63) NOT NULL, "action" character varying(16) NOT NULL, "cause" character varying(16) NOT NULL, "outcome" character varying(16) NOT NULL, "from_instances" integer NOT NULL, "to_instances" integer NOT NULL, "reason" text NOT NULL, "decided_at" TIMESTAMP NOT NULL DEFAULT now(), CONSTRAINT "PK_scaling_decision" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_scaling_decision_app_decided" ON "scaling_decision" ("app", "decided_at")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "scaling_decision"`);
  }
}
