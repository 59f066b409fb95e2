/**
 * `docket run DATASET --template TEMPLATE --id-field id --url URL …more`: the command line the
 * run, resume and export tests type, against a test server.
 */
export function runArgs(dataset: string, template: string, url: string, ...more: string[]): string[] {
  return ["run", dataset, "--template", template, "--id-field", "id", "--url", url, ...more];
}
