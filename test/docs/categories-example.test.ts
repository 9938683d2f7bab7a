/** The example of docs/categories.md, run: a host-defined category with a decision and a timeout. */
import { expect } from 'chai';
import { Callback, Module } from 'modhost/decorators';
import { defineCategory, firstDecisive, ignoreAndLog, runAll, wrapAsModuleFailure } from 'modhost';
import { createTestHost } from 'modhost/testing';

const exportsCategory = defineCategory({
  name: 'exports',
  description: 'Data exports: who may export, and who hears about it.',
  callbacks: {
    may_export: {
      combine: firstDecisive({ isNeutral: (r) => r === 'allow', fallback: () => 'allow' }),
      onError: wrapAsModuleFailure({
        status: 503,
        errcode: 'M_UNKNOWN',
        message: 'Export check failed',
      }),
      decision: { deny: () => 'deny' },
      timeout: 2_000,
    },
    on_exported: { combine: runAll(), onError: ignoreAndLog() },
  },
});

const heard: string[] = [];

@Module({ name: 'export_policy' })
class ExportPolicy {
  @Callback(exportsCategory.name, 'may_export')
  async mayExport(userId: string, format: string) {
    if (userId === '@broken:x') throw new Error('policy store down');
    return format === 'csv' ? 'allow' : 'deny';
  }

  @Callback(exportsCategory.name, 'on_exported')
  async onExported(userId: string) {
    heard.push(userId);
  }
}

describe('docs/categories.md example', () => {
  it('runs a host-defined category with its policies and on_error override', async () => {
    const host = await createTestHost({
      modules: [{ module: ExportPolicy }],
      categories: [exportsCategory],
    });
    try {
      expect(host.callbacks.has('exports', 'may_export')).to.equal(true);
      expect(await host.callbacks.run(exportsCategory.name, 'may_export', '@a:x', 'csv')).to.equal(
        'allow',
      );
      expect(await host.callbacks.run(exportsCategory.name, 'may_export', '@a:x', 'pdf')).to.equal(
        'deny',
      );
      const failure = await host.callbacks
        .run(exportsCategory.name, 'may_export', '@broken:x', 'csv')
        .then(
          () => undefined,
          (e: { status: number; message: string }) => e,
        );
      expect(failure?.status).to.equal(503);
      await host.callbacks.run(exportsCategory.name, 'on_exported', '@a:x', 'csv');
      expect(heard).to.deep.equal(['@a:x']);
    } finally {
      await host.stop();
    }
    const closed = await createTestHost({
      modules: [{ module: ExportPolicy, on_error: 'fail_closed' }],
      categories: [exportsCategory],
    });
    try {
      expect(
        await closed.callbacks.run(exportsCategory.name, 'may_export', '@broken:x', 'csv'),
      ).to.equal('deny');
    } finally {
      await closed.stop();
    }
  });
});
