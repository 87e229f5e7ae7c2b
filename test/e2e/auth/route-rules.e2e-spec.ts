import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryModule, DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ACCESS_RULES_KEY } from '../../../src/auth/authorization/authorize.decorator';
import { useTestApp } from '../../support/test-app';

describe('every route declares who may call it', () => {
  const t = useTestApp({ imports: [DiscoveryModule] });

  it('should find an @Authorize rule or an explicit @Public() on every handler of the application', () => {
    const discovery = t.app.get(DiscoveryService);
    const scanner = t.app.get(MetadataScanner);
    const routes: string[] = [];
    const unguarded: string[] = [];
    for (const wrapper of discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: unknown[]) => object) | undefined;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        const label = `${controller.name}.${name} (${method})`;
        routes.push(label);
        // @Authorize and @Public both declare their rules under this key.
        const declared =
          Reflect.getMetadata(ACCESS_RULES_KEY, handler) !== undefined ||
          Reflect.getMetadata(ACCESS_RULES_KEY, controller) !== undefined;
        if (!declared) unguarded.push(label);
      }
    }
    expect(routes.length).toBeGreaterThan(0);
    expect(unguarded).toEqual([]);
  });
});
