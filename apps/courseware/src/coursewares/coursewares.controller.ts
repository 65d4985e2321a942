import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CoursewaresService, CoursewareView } from './coursewares.service';
import { CreateCoursewareDto } from './dto/create-courseware.dto';

@Controller('coursewares')
export class CoursewaresController {
  constructor(private readonly coursewares: CoursewaresService) {}

  /** 202: publishing goes on in the saga; poll GET /coursewares/:id for PUBLISHED or REJECTED. */
  @Post()
  @HttpCode(202)
  create(@Body() dto: CreateCoursewareDto): Promise<CoursewareView> {
    return this.coursewares.create(dto);
  }

  @Get()
  findAll(): Promise<CoursewareView[]> {
    return this.coursewares.findAll();
  }

  @Get(':id')
  findOne(@Param('id', new ParseUUIDPipe()) id: string): Promise<CoursewareView> {
    return this.coursewares.findOne(id);
  }
}
