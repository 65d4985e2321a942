import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A participant's business effect in tests: one row per applied command. */
@Entity({ name: 'test_ledger_entry' })
export class LedgerEntryEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'saga_id', type: 'varchar', length: 64 })
  sagaId: string;

  @Column({ type: 'varchar', length: 64 })
  kind: string;
}
