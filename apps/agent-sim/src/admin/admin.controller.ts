import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query, UsePipes, ValidationPipe } from '@nestjs/common';
import { AdminService } from './admin.service';
import { CreateFleetDto } from './dto/create-fleet.dto';
import { CreateInstanceDto, UpdateInstanceDto } from './dto/create-instance.dto';
import { AgentStateDto, GlobalFaultsDto, InstanceFaultsDto } from './dto/faults.dto';
import { CloudAttributesDto } from './dto/cloud-attributes.dto';
import { OwnerDto } from './dto/owner.dto';
import { InventoryService } from '../inventory/inventory.service';

/** Test and demo control plane of the simulated cloud (docs/simulator.md). */
@Controller('admin')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly inventory: InventoryService,
  ) {}

  @Post('instances')
  createInstance(@Body() dto: CreateInstanceDto) {
    const { tags, ...spec } = dto;
    const inst = this.admin.createInstance(spec);
    if (tags) this.admin.setCloudAttributes(inst.instanceId, { tags });
    return inst;
  }

  @Get('instances')
  listInstances(@Query('tenantId') tenantId?: string, @Query('region') region?: string) {
    return { instances: this.admin.listInstances({ tenantId, region }) };
  }

  @Get('instances/:id')
  getInstance(@Param('id') id: string) {
    return this.admin.detail(id);
  }

  @Patch('instances/:id')
  updateInstance(@Param('id') id: string, @Body() dto: UpdateInstanceDto) {
    return this.admin.updateInstance(id, dto.overrides);
  }

  /** Transfers the instance to another tenant (the inventory's owner changes; nothing else). */
  @Put('instances/:id/owner')
  setOwner(@Param('id') id: string, @Body() dto: OwnerDto) {
    return this.inventory.transfer(id, dto.tenantId);
  }

  @Get('instances/:id/commands')
  commands(@Param('id') id: string) {
    return { commands: this.admin.commands(id) };
  }

  /** Changing scripts by run id: received, executed, refused by the run-id guard. */
  @Get('instances/:id/ledger')
  ledger(@Param('id') id: string) {
    return this.admin.runLedger(id);
  }

  /** SendCommands held open by the holdSends fault (a test kills the caller when one shows up). */
  @Get('held-sends')
  heldSends() {
    return { held: this.admin.held() };
  }

  @Get('instances/:id/ground-truth')
  groundTruth(@Param('id') id: string, @Query('user') user?: string) {
    return this.admin.groundTruth(id, user);
  }

  @Post('instances/:id/agent')
  @HttpCode(200)
  setAgent(@Param('id') id: string, @Body() dto: AgentStateDto) {
    return this.admin.setAgentOnline(id, dto.online);
  }

  @Post('instances/:id/restart')
  @HttpCode(200)
  restart(@Param('id') id: string) {
    return this.admin.restart(id);
  }

  /** Inventory-side attributes: tags, platform (e.g. linux), EC2 state (e.g. stopped). Merged. */
  @Put('instances/:id/cloud')
  setCloud(@Param('id') id: string, @Body() dto: CloudAttributesDto) {
    return this.admin.setCloudAttributes(id, dto);
  }

  @Put('instances/:id/faults')
  setInstanceFaults(@Param('id') id: string, @Body() dto: InstanceFaultsDto) {
    return this.admin.setInstanceFaults(id, dto);
  }

  @Post('fleet')
  createFleet(@Body() dto: CreateFleetDto) {
    const { tags, ...spec } = dto;
    const fleet = this.admin.createFleet(spec);
    if (tags) for (const id of fleet.instanceIds) this.admin.setCloudAttributes(id, { tags });
    return fleet;
  }

  @Get('faults')
  getFaults() {
    return this.admin.getFaults();
  }

  @Put('faults')
  setFaults(@Body() dto: GlobalFaultsDto) {
    return this.admin.setGlobalFaults(dto);
  }

  @Post('reset')
  @HttpCode(200)
  reset() {
    this.admin.reset();
    return { reset: true };
  }

  @Get('stats')
  stats() {
    return this.admin.stats();
  }

  /** Zeroes the counters (and maxInFlight) so a test can measure one phase. */
  @Post('stats/reset')
  @HttpCode(200)
  resetStats() {
    this.admin.resetStats();
    return this.admin.stats();
  }
}
