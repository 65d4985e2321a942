import { Module } from '@nestjs/common';

/** Placeholder: the Marathon integration is not built yet (see this lib's README). */
@Module({})
export class MarathonModule {}
