import { Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiKeyService, apiKeyView } from '@rdpfix/auth';
import { Roles } from '../auth/auth.decorators';
import { uuidParam } from '../common/uuid-param.pipe';
import { NoBodyDto } from '../common/no-body.dto';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { ref } from '../openapi/schema-helpers';

/** Key management; admin only. The plaintext key and webhook secret are returned once. */
@ApiTags('admin')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'No or invalid API key.' })
@ApiForbiddenResponse({ description: 'Only admin keys manage keys.' })
@Controller('v1/admin/keys')
@Roles('admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key' })
  @ApiCreatedResponse({ description: '`key` and `webhookSecret` are shown only in this response.', schema: ref('ApiKeyCreated') })
  async create(@Body() dto: CreateApiKeyDto) {
    const { key, webhookSecret, record } = await this.keys.create(dto);
    return { ...apiKeyView(record), key, webhookSecret };
  }

  @Get()
  @ApiOperation({ summary: 'List API keys (without secrets)' })
  @ApiOkResponse({ description: 'Every key, revoked ones included.', schema: ref('ApiKeyList') })
  async list() {
    return { items: (await this.keys.list()).map(apiKeyView) };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke an API key' })
  @ApiOkResponse({ description: 'The revoked key (`revokedAt` set). Its open event streams end with `event: revoked`.', schema: ref('ApiKey') })
  @ApiNotFoundResponse({ description: 'No such key.' })
  async revoke(@Param('id', uuidParam) id: string, @Body() _body: NoBodyDto) {
    const k = await this.keys.revoke(id);
    if (!k) throw new NotFoundException({ statusCode: 404, error: 'not_found', message: `API key ${id} not found` });
    return apiKeyView(k);
  }
}
