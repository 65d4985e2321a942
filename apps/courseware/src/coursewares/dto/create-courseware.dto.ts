import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** A courseware starts as a title; its media is uploaded next (`POST /coursewares/:id/source`). */
export class CreateCoursewareDto {
  @ApiProperty({ example: 'Introduction to sheep herding', maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title: string;
}
