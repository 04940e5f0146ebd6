// Types of Docusaurus's virtual modules (@theme/*, @docusaurus/*) for the site's React code.
/// <reference types="@docusaurus/module-type-aliases" />
/// <reference types="@docusaurus/theme-classic" />
/// <reference types="@docusaurus/theme-mermaid" />
/// <reference types="@docusaurus/plugin-content-docs" />
