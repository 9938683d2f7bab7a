/**
 * The seed's example: a web resource at /_synapse/client/my_super_module/say_hello that
 * answers JSON. The smallest useful module.
 */
import { Module, WebResource } from 'modhost/decorators';
import { ModuleApi } from 'modhost';
import { IsOptional, IsString } from 'class-validator';

export class HelloConfig {
  @IsOptional() @IsString() greeting: string = 'Hello';
}

@Module({ name: 'my_super_module', config: HelloConfig })
export class Hello {
  constructor(
    private readonly api: ModuleApi,
    private readonly config: HelloConfig,
  ) {}

  @WebResource('/_synapse/client/my_super_module/say_hello', { methods: ['GET'] })
  sayHello(request: Request): Response {
    const name = new URL(request.url).searchParams.get('name') ?? 'world';
    return Response.json({
      message: `${this.config.greeting}, ${name}!`,
      instance: this.api.instanceName,
    });
  }
}
