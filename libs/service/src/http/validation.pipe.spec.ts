import { BadRequestException } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { createValidationPipe } from './validation.pipe';

class Wool {
  @IsString()
  colour: string;
}

class Sheep {
  @IsString()
  name: string;

  @IsInt()
  @Min(0)
  age: number;

  @ValidateNested()
  @Type(() => Wool)
  wool: Wool;
}

async function violationsOf(body: unknown): Promise<unknown> {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype: Sheep });
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return (error as BadRequestException).getResponse();
  }
  throw new Error('expected a 400');
}

describe('createValidationPipe', () => {
  it('passes a valid body through as an instance', async () => {
    const sheep = await createValidationPipe().transform(
      { name: 'dolly', age: 6, wool: { colour: 'white' } },
      { type: 'body', metatype: Sheep },
    );
    expect(sheep).toBeInstanceOf(Sheep);
    expect(sheep.wool).toBeInstanceOf(Wool);
  });

  it('names every bad field with its reason, nested ones by path', async () => {
    expect(await violationsOf({ name: 7, age: -1, wool: { colour: 3 } })).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'invalid request body',
      violations: [
        { field: 'name', reason: 'name must be a string' },
        { field: 'age', reason: 'age must not be less than 0' },
        { field: 'wool.colour', reason: 'colour must be a string' },
      ],
    });
  });

  it('refuses fields it does not know', async () => {
    const response = (await violationsOf({
      name: 'a',
      age: 1,
      wool: { colour: 'w' },
      owner: 'x',
    })) as {
      violations: unknown[];
    };
    expect(response.violations).toEqual([
      { field: 'owner', reason: 'property owner should not exist' },
    ]);
  });
});
