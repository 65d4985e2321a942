import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document at `/docs-json`, and Swagger UI on it at `/docs`. */
export function serveCoursewareDocs(app: INestApplication, version: string): void {
  const config = new DocumentBuilder()
    .setTitle('courseware')
    .setDescription(
      'Coursewares: create, upload the original (ffprobe checks its bytes), publish through the ' +
        "codec's transcoding saga, play the renditions.",
    )
    .setVersion(version)
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), {
    jsonDocumentUrl: 'docs-json',
  });
}
