import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsIn,
  IsNotEmpty,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { RENDITION_TARGETS, SOURCE_FORMATS } from '@herd/contracts';

export class SourceMediaDto {
  /** Where the codec reads the original, e.g. `file:///srv/media/intro.wav`. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  uri: string;

  @IsIn(SOURCE_FORMATS)
  format: string;
}

export class CreateCoursewareDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title: string;

  @ValidateNested()
  @Type(() => SourceMediaDto)
  source: SourceMediaDto;

  @ArrayMinSize(1)
  @ArrayMaxSize(RENDITION_TARGETS.length)
  @ArrayUnique()
  @IsIn(RENDITION_TARGETS, { each: true })
  targets: string[];
}
