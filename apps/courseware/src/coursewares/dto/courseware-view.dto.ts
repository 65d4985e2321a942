import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COURSEWARE_STATUSES, type CoursewareStatus } from '../courseware.entity';

export class SourceMediaView {
  @ApiProperty({ example: 'QuickTime / MOV (mov,mp4,m4a,3gp,3g2,mj2)' })
  format: string;

  @ApiProperty({ example: 48213 })
  bytes: number;

  @ApiProperty({ nullable: true, type: Number, example: 2 })
  durationSeconds: number | null;

  @ApiProperty({ example: ['video h264 320x240', 'audio aac'] })
  streams: string[];
}

export class RenditionView {
  @ApiProperty({ enum: ['aac', 'opus', 'waveform', 'h264-360p', 'h264-720p', 'poster'] })
  name: string;

  @ApiProperty({
    description: 'Plays in a browser (range requests)',
    example: '/coursewares/…/renditions/aac',
  })
  url: string;

  @ApiProperty({ example: 'audio/mp4' })
  mimeType: string;

  @ApiProperty({ nullable: true, type: String, example: 'aac', description: 'as ffprobe reads it' })
  codec: string | null;

  @ApiProperty({ nullable: true, type: Number, example: 2.02 })
  durationSeconds: number | null;

  @ApiProperty({ example: 33102 })
  bytes: number;

  @ApiProperty({ nullable: true, type: Number })
  width: number | null;

  @ApiProperty({ nullable: true, type: Number })
  height: number | null;
}

export class CoursewareView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ enum: COURSEWARE_STATUSES })
  status: CoursewareStatus;

  @ApiProperty({ enum: ['audio', 'video'], nullable: true })
  kind: string | null;

  @ApiPropertyOptional({
    type: SourceMediaView,
    nullable: true,
    description: 'what ffprobe found in the upload',
  })
  source: SourceMediaView | null;

  @ApiProperty({ nullable: true, type: Number, description: 'as the codec read it' })
  durationSeconds: number | null;

  @ApiProperty({ type: [RenditionView], nullable: true })
  renditions: RenditionView[] | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'why publishing failed (the saga says)',
  })
  rejectionReason: string | null;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty()
  updatedAt: Date;
}
