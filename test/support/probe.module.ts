import { Body, Controller, Get, Headers, Injectable, Logger, Module, Param, Post, Query } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { IsEmail, IsInt, IsString, Max, Min, MinLength, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import type { Connection } from 'mongoose';
import { Public } from '../../src/auth/authorization/authorize.decorator';
import { IsContractEnum, IsOptionalDateTime, IsTidepoolUserId } from '../../src/common/validation/decorators';
import { ClinicIdParams } from '../../src/common/validation/id-params.dto';
import { PaginationQuery } from '../../src/common/validation/pagination.dto';

export enum ProbeColour {
  Red = 'red',
  Blue = 'blue',
}

class ProbeAddress {
  @IsString() @MinLength(1) city: string;
}

class ProbeBody {
  @IsEmail() email: string;
  @IsTidepoolUserId() userId: string;
  @IsContractEnum(ProbeColour, 'ProbeColour') colour: ProbeColour;
  @ValidateNested() @Type(() => ProbeAddress) address: ProbeAddress;
}

class ProbeQuery extends PaginationQuery {
  @IsOptionalDateTime() since?: string;
}

class ProbePatientBody {
  @IsString() marker: string;
  @IsInt() @Min(0) @Max(200) delayMs: number;
  @IsString() fullName: string;
  @IsString() firstName: string;
  @IsString() lastName: string;
  @IsString() birthDate: string;
  @IsString() mrn: string;
  @IsEmail() email: string;
}

/** A service that logs the way the application's services do (Nest's `Logger`), after async work. */
@Injectable()
export class ProbePatientService {
  private readonly logger = new Logger('ProbePatientService');

  constructor(@InjectConnection() private readonly connection: Connection) {}

  async record(patient: ProbePatientBody, headers: Record<string, string | undefined>): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, patient.delayMs));
    await this.connection.collection('probe_patients').insertOne({ marker: patient.marker });
    const { marker, delayMs: _delayMs, ...fields } = patient;
    // Careless on purpose: personal data and credentials at several depths, for the redaction to catch.
    this.logger.log(
      {
        marker,
        ...fields,
        patient: fields,
        clinic: { patients: [fields] },
        change: { before: { profile: { patient: fields } } },
        headers,
        request: { headers },
      },
      'probe: patient recorded',
    );
  }
}

/** Test-only routes that exercise the shared building blocks through the real pipeline. */
@Public()
@Controller('probe')
export class ProbeController {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly patients: ProbePatientService,
  ) {}

  @Post('patients')
  async recordPatient(
    @Body() body: ProbePatientBody,
    @Headers() headers: Record<string, string | undefined>,
  ): Promise<{ marker: string }> {
    await this.patients.record(body, headers);
    return { marker: body.marker };
  }

  @Post('clinics/:clinicId')
  echo(@Param() params: ClinicIdParams, @Query() query: ProbeQuery, @Body() body: ProbeBody): object {
    return { params, query, body };
  }

  @Post('duplicate')
  async duplicate(): Promise<void> {
    const collection = this.connection.collection('probe_items');
    await collection.createIndex({ key: 1 }, { unique: true });
    await collection.insertOne({ key: 'same' });
    await collection.insertOne({ key: 'same' });
  }

  @Post('duplicate-update')
  async duplicateUpdate(): Promise<void> {
    const collection = this.connection.collection('probe_keys');
    await collection.createIndex({ key: 1 }, { unique: true, sparse: true });
    await collection.deleteMany({});
    await collection.insertMany([{ key: 'first' }, { key: 'second' }]);
    await collection.updateOne({ key: 'second' }, { $set: { key: 'first' } });
  }

  @Get('crash')
  crash(): never {
    throw new Error('secret driver detail: connection string mongodb://user:pass@host');
  }
}

@Module({ controllers: [ProbeController], providers: [ProbePatientService] })
export class ProbeModule {}
