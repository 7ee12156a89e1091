// Entry point Grafana loads (dist/module.js, AMD): the app with its pages and configuration page.
import { AppPlugin } from '@grafana/data';
import { App } from './components/App';
import { AppConfig, type AppSettings } from './components/AppConfig';

export const plugin = new AppPlugin<AppSettings>().setRootPage(App).addConfigPage({
  title: 'Configuration',
  icon: 'cog',
  body: AppConfig,
  id: 'configuration',
});
