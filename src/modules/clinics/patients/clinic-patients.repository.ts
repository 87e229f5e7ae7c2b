import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Connection, Types } from 'mongoose';

interface GroupCount {
  /** A tag id or site id (ObjectIds; strings in older documents). */
  _id: Types.ObjectId | string | null;
  count: number;
}

/**
 * What the Clinics area reads from the `patients` collection (owned by the patients area): whether a
 * clinic still has patients, and how many patients carry each tag and site. Patient documents store
 * `clinicId` as an ObjectId, `tags` as tag ids and `sites` as `[{id, name}]`. These queries filter on
 * `clinicId` first, served by the patients area's `{clinicId, userId}` unique index.
 */
@Injectable()
export class ClinicPatientsRepository {
  constructor(@InjectConnection() private readonly connection: Connection) {}

  async hasPatients(clinicId: string): Promise<boolean> {
    const count = await this.patients().countDocuments({ clinicId: new Types.ObjectId(clinicId) }, { limit: 1 });
    return count > 0;
  }

  /**
   * Patients per tag id, over the given clinics, in one aggregation ($match, $unwind, $group — all in
   * FerretDB 1.24). Tag ids are ObjectIds created by their own clinic, so grouping by the id alone
   * counts per clinic; the result has one entry per distinct tag (at most 50 per clinic).
   */
  countByTag(clinicIds: Types.ObjectId[]): Promise<Map<string, number>> {
    return this.countGroups(clinicIds, '$tags', '$tags');
  }

  /** Patients per site id, like {@link countByTag}. */
  countBySite(clinicIds: Types.ObjectId[]): Promise<Map<string, number>> {
    return this.countGroups(clinicIds, '$sites', '$sites.id');
  }

  private async countGroups(clinicIds: Types.ObjectId[], unwind: string, key: string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (clinicIds.length === 0) return counts;
    const groups = await this.patients()
      .aggregate<GroupCount>([
        { $match: { clinicId: clinicIds.length === 1 ? clinicIds[0] : { $in: clinicIds } } },
        { $unwind: unwind },
        { $group: { _id: key, count: { $sum: 1 } } },
      ])
      .toArray();
    for (const group of groups) {
      if (group._id) counts.set(group._id.toString(), group.count);
    }
    return counts;
  }

  private patients() {
    return this.connection.collection('patients');
  }
}
