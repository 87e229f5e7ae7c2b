import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** The steps of a clinic merge, in the order they run; `type` of the step records. */
export enum MergeStep {
  Tags = 'tag',
  Patients = 'patient',
  Sites = 'site',
  Clinicians = 'clinician',
  Finalize = 'clinic',
}

export const MERGE_STEPS: readonly MergeStep[] = [
  MergeStep.Tags,
  MergeStep.Patients,
  MergeStep.Sites,
  MergeStep.Clinicians,
  MergeStep.Finalize,
];

/** The `type` of a merge's header document. */
export const MERGE_HEADER_TYPE = 'merge';

export enum MergeStatus {
  Running = 'RUNNING',
  Completed = 'COMPLETED',
}

/**
 * The `merge_plans` collection: the journal of clinic merges (behavior-clinics.md §4.6). Per merge
 * (`planId`), one header (`type: "merge"`, `_id` = planId) holding the step to run next, and one
 * record per step (`type` = the step, `_id` = `<planId>:<type>`) holding that step's part of the plan
 * as it was when the step started. `activeSourceId` is present on the header only while the merge
 * runs: its unique index allows one running merge per source clinic, and an interrupted merge is found
 * (and resumed) through it.
 */
@Schema({ collection: 'merge_plans', versionKey: false })
export class MergePlanRecord {
  @Prop({ type: String, required: true }) _id: string;
  @Prop({ type: String, required: true }) planId: string;
  @Prop({ type: String, required: true }) type: string;
  @Prop({ type: Object }) plan?: unknown;
  @Prop({ type: String }) sourceId?: string;
  @Prop({ type: String }) targetId?: string;
  @Prop({ type: String }) activeSourceId?: string;
  @Prop({ type: String }) step?: string;
  @Prop({ type: String }) status?: string;
  @Prop({ type: String }) startedBy?: string;
  @Prop({ type: Date, required: true }) createdTime: Date;
  @Prop({ type: Date }) updatedTime?: Date;
}

export const MergePlanSchema = SchemaFactory.createForClass(MergePlanRecord);
// One running merge per source clinic; finding a source's running merge, and all running merges at start-up.
MergePlanSchema.index({ activeSourceId: 1 }, { unique: true, sparse: true });
// A merge's records.
MergePlanSchema.index({ planId: 1 });
