// Builds the Grafana frontend as @grafana/create-plugin does: one AMD
// module.js per plugin (the app in dist/, the nested data source in
// dist/datasource/), Grafana's shared packages left external, plugin.json
// files, README, CHANGELOG and logos copied beside them.
import path from 'node:path';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import TerserPlugin from 'terser-webpack-plugin';
import webpack, { type Configuration } from 'webpack';
import VirtualModulesPlugin from 'webpack-virtual-modules';
import { copyFilePatterns } from '../bundler/copyFiles.ts';
import { DIST_DIR, SOURCE_DIR } from '../bundler/constants.ts';
import { externals } from '../bundler/externals.ts';
import { getEntries, getPackageJson, getPluginJson } from '../bundler/utils.ts';

const pluginJson = getPluginJson();
const pluginVersion = getPackageJson().version;

// Chunks and assets load from where Grafana served module.js (the AMD
// "module" meta-dependency's uri), so the plugin works under any sub-path.
const virtualPublicPath = new VirtualModulesPlugin({
  'node_modules/grafana-public-path.js': `
import amdMetaModule from 'amd-module';

__webpack_public_path__ =
  amdMetaModule && amdMetaModule.uri
    ? amdMetaModule.uri.slice(0, amdMetaModule.uri.lastIndexOf('/') + 1)
    : 'public/plugins/${pluginJson.id}/';
`,
});

type Env = Record<string, unknown>;

const config = (env: Env = {}): Configuration => {
  const production = Boolean(env.production);
  return {
    context: path.join(process.cwd(), SOURCE_DIR),
    devtool: production ? 'source-map' : 'eval-source-map',
    entry: getEntries(),
    externals,
    mode: production ? 'production' : 'development',
    module: {
      rules: [
        {
          test: /src\/(?:.*\/)?module\.tsx?$/,
          use: [{ loader: 'imports-loader', options: { imports: 'side-effects grafana-public-path' } }],
        },
        {
          exclude: /node_modules/,
          test: /\.[tj]sx?$/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: {
                target: 'es2015',
                loose: false,
                parser: { syntax: 'typescript', tsx: true, decorators: false, dynamicImport: true },
                transform: { react: { runtime: 'automatic' } },
              },
            },
          },
        },
        {
          test: /\.(png|jpe?g|gif|svg)$/,
          type: 'asset/resource',
          generator: { filename: production ? '[hash][ext]' : '[file]' },
        },
      ],
    },
    optimization: {
      minimize: production,
      minimizer: [
        new TerserPlugin({
          terserOptions: {
            format: { comments: (_node, { type, value }) => type === 'comment2' && value.trim().startsWith('[create-plugin]') },
            compress: { drop_console: ['log', 'info'] },
          },
        }),
      ],
    },
    output: {
      // Keep the backend executables the backend build writes into dist/.
      clean: { keep: /(.*?_(amd64|arm(64)?)(.exe)?|go_plugin_build_manifest)/ },
      filename: '[name].js',
      chunkFilename: production ? '[name].js?_cache=[contenthash]' : '[name].js',
      library: { type: 'amd' },
      path: path.resolve(process.cwd(), DIST_DIR),
      publicPath: `public/plugins/${pluginJson.id}/`,
      uniqueName: pluginJson.id,
      crossOriginLoading: 'anonymous',
    },
    performance: { hints: false },
    plugins: [
      virtualPublicPath,
      new webpack.BannerPlugin({
        banner: `/* [create-plugin] plugin: ${pluginJson.id}@${pluginVersion} */`,
        raw: true,
        entryOnly: true,
      }),
      new CopyWebpackPlugin({ patterns: copyFilePatterns }),
    ],
    resolve: {
      extensions: ['.js', '.jsx', '.ts', '.tsx'],
      modules: [path.resolve(process.cwd(), 'src'), 'node_modules'],
      unsafeCache: true,
    },
  };
};

export default config;
