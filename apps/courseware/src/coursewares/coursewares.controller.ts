import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Req,
  Res,
  UploadedFile,
  UseInterceptors,
  BadRequestException,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { uuidParam } from '@herd/service';
import { RENDITIONS } from '@herd/contracts';
import { CodecMediaProxy } from './codec-media.proxy';
import { CoursewaresService } from './coursewares.service';
import { CoursewareView } from './dto/courseware-view.dto';
import { CreateCoursewareDto } from './dto/create-courseware.dto';

const RENDITION_NAMES = [...RENDITIONS.audio, ...RENDITIONS.video];
const id = uuidParam('id');
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

@ApiTags('coursewares')
@Controller('coursewares')
export class CoursewaresController {
  constructor(
    private readonly coursewares: CoursewaresService,
    private readonly codecMedia: CodecMediaProxy,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a courseware (DRAFT); upload its media next' })
  @ApiCreatedResponse({ type: CoursewareView })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Sending the create again with the same key (its answer was lost) answers the courseware the first one made',
  })
  @ApiBadRequestResponse({
    description: '`violations: [{ field, reason }]`; unknown fields refused',
  })
  @ApiUnprocessableEntityResponse({ description: 'the Idempotency-Key was used for another body' })
  create(
    @Body() dto: CreateCoursewareDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<CoursewareView> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid request header',
        violations: [
          { field: 'Idempotency-Key', reason: 'must be 1 to 200 visible ASCII characters' },
        ],
      });
    }
    return this.coursewares.create(dto, idempotencyKey);
  }

  @Post(':id/source')
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('file'))
  @ApiOperation({
    summary: 'Upload the original (multipart field "file"); ffprobe decides from its bytes',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @ApiOkResponse({ type: CoursewareView, description: 'READY, with what ffprobe found' })
  @ApiPayloadTooLargeResponse({ description: 'larger than COURSEWARE_MAX_UPLOAD_BYTES' })
  @ApiUnsupportedMediaTypeResponse({ description: 'not audio or video: `found` says what it is' })
  @ApiConflictResponse({ description: 'PUBLISHING or PUBLISHED: media cannot change' })
  upload(
    @Param('id', id) coursewareId: string,
    @UploadedFile() file: Express.Multer.File | undefined,
  ): Promise<CoursewareView> {
    if (!file) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid request body',
        violations: [{ field: 'file', reason: 'a multipart/form-data field "file" is required' }],
      });
    }
    return this.coursewares.upload(coursewareId, file.path, file.size);
  }

  @Post(':id/publish')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Publish: the saga transcodes in the codec; poll for PUBLISHED or REJECTED',
  })
  @ApiAcceptedResponse({
    type: CoursewareView,
    description:
      'PUBLISHING; one already PUBLISHING or PUBLISHED answers its state, starting nothing',
  })
  @ApiConflictResponse({ description: 'DRAFT or REJECTED: upload its media first' })
  publish(@Param('id', id) coursewareId: string): Promise<CoursewareView> {
    return this.coursewares.publish(coursewareId);
  }

  @Get()
  @ApiOperation({ summary: 'The latest 100 coursewares' })
  @ApiOkResponse({ type: [CoursewareView] })
  findAll(): Promise<CoursewareView[]> {
    return this.coursewares.findAll();
  }

  @Get(':id')
  @ApiOkResponse({ type: CoursewareView })
  @ApiNotFoundResponse()
  findOne(@Param('id', id) coursewareId: string): Promise<CoursewareView> {
    return this.coursewares.findOne(coursewareId);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: "Delete it, its original, and (through a saga) the codec's renditions" })
  @ApiNoContentResponse()
  @ApiConflictResponse({ description: 'PUBLISHING' })
  remove(@Param('id', id) coursewareId: string): Promise<void> {
    return this.coursewares.remove(coursewareId);
  }

  @Get(':id/source')
  @ApiOperation({
    summary: 'The original as uploaded (the codec fetches it here, by service name)',
  })
  @ApiProduces('application/octet-stream')
  async source(@Param('id', id) coursewareId: string, @Res() response: Response): Promise<void> {
    const { root, name } = await this.coursewares.original(coursewareId);
    response.setHeader('Content-Type', 'application/octet-stream');
    await new Promise<void>((resolve, reject) =>
      response.sendFile(name, { root, dotfiles: 'deny' }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  }

  @Get(':id/renditions/:name')
  @ApiOperation({ summary: 'Play a rendition (range requests passed to the codec)' })
  @ApiProduces('audio/mp4', 'audio/ogg', 'video/mp4', 'image/jpeg', 'application/json')
  @ApiNotFoundResponse()
  async rendition(
    @Param('id', id) coursewareId: string,
    @Param('name') name: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (!(RENDITION_NAMES as string[]).includes(name)) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'invalid request parameter',
        violations: [
          { field: 'name', reason: `name must be one of ${RENDITION_NAMES.join(', ')}` },
        ],
      });
    }
    const rendition = await this.coursewares.rendition(coursewareId, name);
    await this.codecMedia.stream(rendition, request, response);
  }
}
