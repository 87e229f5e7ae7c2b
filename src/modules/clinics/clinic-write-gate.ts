import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { Model, Types } from 'mongoose';
import { WriteGateRank, WriteLocks, WriteScope } from '../../database/write-gate';
import { ClinicRecord } from './clinics/clinic.schema';
import { ClinicsWriter } from './clinics/clinics.repository';
import { ShareCodeRecord } from './clinics/share-code.schema';
import { ClinicianRecord } from './clinicians/clinician.schema';
import { CliniciansWriter } from './clinicians/clinicians.repository';
import { ClinicReadCaches } from './clinic-read-cache';
import { ClinicDeletionRecord, ClinicianDeletionRecord, PatientDeletionRecord } from './deletions/deletion.schema';
import { DeletionsWriter } from './deletions/deletions.writer';
import { PatientDeletionsWriter } from './deletions/patient-deletions.writer';
import { MergePlanRecord } from './merges/merge-plan.schema';
import { MergeWriter } from './merges/merges.repository';
import { MigrationRecord } from './migrations/migration.schema';
import { MigrationsWriter } from './migrations/migrations.repository';
import { PatientRecord } from './patients/patient.schema';
import { PatientsWriter } from './patients/patients.repository';

/** What work inside the gate may write: one clinic's documents, and nothing else. */
export interface ClinicWrites {
  clinic: ClinicsWriter;
  clinicians: CliniciansWriter;
  deletions: DeletionsWriter;
  patients: PatientsWriter;
  patientDeletions: PatientDeletionsWriter;
  migrations: MigrationsWriter;
  /** Clinic merges: writes into this clinic, and the merge journal. */
  merges: MergeWriter;
}

/**
 * The one way to write a clinic's documents (the clinic, its clinician and patient records, their
 * archives, its migrations).
 *
 * `run(clinicId, work)` waits for the clinic's turn (an in-process keyed mutex: writes to one
 * clinic run one at a time, writes to different clinics in parallel), then hands `work` writers
 * bound to that clinic. The writers exist only here — no module can inject them, the repositories
 * only read, and a lint rule forbids constructing a writer anywhere else — and they refuse to write
 * once `work` has finished. Remote calls (user directory, SMTP) are refused inside `work`: do them
 * before or after.
 */
@Injectable()
export class ClinicWriteGate {
  constructor(
    private readonly locks: WriteLocks,
    @InjectModel(ClinicRecord.name) private readonly clinics: Model<ClinicRecord>,
    @InjectModel(ShareCodeRecord.name) private readonly shareCodes: Model<ShareCodeRecord>,
    @InjectModel(ClinicianRecord.name) private readonly clinicians: Model<ClinicianRecord>,
    @InjectModel(ClinicDeletionRecord.name) private readonly clinicDeletions: Model<ClinicDeletionRecord>,
    @InjectModel(ClinicianDeletionRecord.name) private readonly clinicianDeletions: Model<ClinicianDeletionRecord>,
    @InjectModel(PatientRecord.name) private readonly patients: Model<PatientRecord>,
    @InjectModel(PatientDeletionRecord.name) private readonly patientDeletions: Model<PatientDeletionRecord>,
    @InjectModel(MigrationRecord.name) private readonly migrations: Model<MigrationRecord>,
    @InjectModel(MergePlanRecord.name) private readonly mergePlans: Model<MergePlanRecord>,
    private readonly readCaches: ClinicReadCaches,
  ) {}

  run<T>(clinicId: string | Types.ObjectId, work: (writes: ClinicWrites) => Promise<T>): Promise<T> {
    const id = typeof clinicId === 'string' ? new Types.ObjectId(clinicId) : clinicId;
    return this.enter(id, (scope) => work(this.writesFor(scope, id)));
  }

  /**
   * Work that creates `count` clinics: it holds the gates of `count` fresh clinic ids (entered in
   * ascending order, as the nesting rules ask) and gets the writers of each, in that order.
   */
  runNewClinics<T>(count: number, work: (writes: ClinicWrites[]) => Promise<T>): Promise<T> {
    // Fresh ids of one process increase, but the order the gates compare keys in is made sure of.
    const ids = Array.from({ length: count }, () => new Types.ObjectId()).sort((a, b) =>
      gateKey(a) < gateKey(b) ? -1 : 1,
    );
    const enter = (index: number, writes: ClinicWrites[]): Promise<T> =>
      index === ids.length
        ? work(writes)
        : this.enter(ids[index], (scope) => enter(index + 1, [...writes, this.writesFor(scope, ids[index])]));
    return enter(0, []);
  }

  /** The clinic's turn; what the read caches keep of the clinic is dropped when it starts and ends. */
  private enter<T>(id: Types.ObjectId, work: (scope: WriteScope) => Promise<T>): Promise<T> {
    const clinicId = id.toHexString();
    return this.locks.run(gateKey(id), WriteGateRank.Clinic, async (scope) => {
      this.readCaches.writesBegin(clinicId);
      try {
        return await work(scope);
      } finally {
        this.readCaches.writesEnd(clinicId);
      }
    });
  }

  private writesFor(scope: WriteScope, id: Types.ObjectId): ClinicWrites {
    return {
      clinic: new ClinicsWriter(scope, id, this.clinics, this.shareCodes),
      clinicians: new CliniciansWriter(scope, id, this.clinicians),
      deletions: new DeletionsWriter(scope, this.clinicDeletions, this.clinicianDeletions),
      patients: new PatientsWriter(scope, id, this.patients),
      patientDeletions: new PatientDeletionsWriter(scope, this.patientDeletions),
      migrations: new MigrationsWriter(scope, id, this.migrations),
      merges: new MergeWriter(
        scope,
        id,
        this.clinics,
        this.shareCodes,
        this.patients,
        this.clinicians,
        this.mergePlans,
      ),
    };
  }
}

function gateKey(clinicId: Types.ObjectId): string {
  return `clinic:${clinicId.toHexString()}`;
}
