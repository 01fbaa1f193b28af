<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountDialog</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="51"/>
        <source>Reconnect account</source>
        <translation>重新连接账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="51"/>
        <source>Add an account</source>
        <translation>添加账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="59"/>
        <source>e.g. my-shop</source>
        <translation>例如 my-shop</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="60"/>
        <source>App</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="61"/>
        <source>Account name</source>
        <translation>账户名称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="62"/>
        <source>Use the built-in sandbox (demo data, no sign-in)</source>
        <translation>使用内置沙盒（演示数据，无需登录）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="71"/>
        <source>leave empty for the vendor&apos;s address</source>
        <translation>留空则使用厂商的地址</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="73"/>
        <source>API address (advanced)</source>
        <translation>API 地址（高级）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="74"/>
        <source>This address is my own server or proxy: send the credentials there</source>
        <translation>这是我自己的服务器或代理：把凭据发到这个地址</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="128"/>
        <source>stored in the system keychain</source>
        <translation>保存在系统钥匙串中</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="150"/>
        <source>Sign in with %1</source>
        <translation>用 %1 登录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="189"/>
        <source>Preparing the sign-in…</source>
        <translation>正在准备登录…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="201"/>
        <source>Finish signing in in your web browser; this window waits for it.</source>
        <translation>请在网页浏览器中完成登录；此窗口会等待。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="203"/>
        <source>Could not open the web browser. Open this address yourself: %1</source>
        <translation>无法打开网页浏览器。请自行打开此地址：%1</translation>
    </message>
</context>
<context>
    <name>AccountsPage</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="245"/>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="247"/>
        <source>Add an account</source>
        <translation>添加账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="253"/>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="253"/>
        <source>App</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="253"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="254"/>
        <source>Used by</source>
        <translation>使用它的配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="265"/>
        <source>No accounts yet. Add one, or try the built-in sandbox apps.</source>
        <translation>还没有账户。添加一个，或试试内置的沙盒应用。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="269"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="270"/>
        <source>Reconnect…</source>
        <translation>重新连接…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="271"/>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="367"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="291"/>
        <source>Reading accounts</source>
        <translation>正在读取账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="302"/>
        <source>(sandbox)</source>
        <translation>（沙盒）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="335"/>
        <source>Opening the sign-in page for %1…</source>
        <translation>正在打开 %1 的登录页面…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="339"/>
        <source>Finish signing in in your web browser; this window waits for it.</source>
        <translation>请在网页浏览器中完成登录；此窗口会等待。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="340"/>
        <source>Could not open the web browser. Open this address yourself: %1</source>
        <translation>无法打开网页浏览器。请自行打开此地址：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="347"/>
        <source>Testing %1…</source>
        <translation>正在测试 %1…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="362"/>
        <source>Remove the account “%1” and its keychain entries?</source>
        <translation>删除账户“%1”及其钥匙串中的凭据？</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="364"/>
        <source>These recipes use it and will stop: %1</source>
        <translation>以下配方正在使用它，将会停止：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/accounts.py" line="365"/>
        <source>Remove account</source>
        <translation>删除账户</translation>
    </message>
</context>
<context>
    <name>ActionCard</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="482"/>
        <source>Then do this (action)</source>
        <translation>然后执行（动作）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="490"/>
        <source>Action</source>
        <translation>动作</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="494"/>
        <source>Fields to write (* required). Pick where each value comes from:</source>
        <translation>要写入的字段（* 为必填）。为每个值选择来源：</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="498"/>
        <source>Test this step (dry run)</source>
        <translation>测试此步骤（试运行）</translation>
    </message>
</context>
<context>
    <name>ActivityPage</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="55"/>
        <source>Activity</source>
        <translation>活动</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="68"/>
        <source>All outcomes</source>
        <translation>全部结果</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="80"/>
        <source>since</source>
        <translation>起始日期</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="81"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="89"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="121"/>
        <source>Recipe</source>
        <translation>配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="81"/>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="90"/>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="89"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="89"/>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="90"/>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="90"/>
        <source>Message</source>
        <translation>信息</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="103"/>
        <source>Select a record to see each step: input, request and outcome.</source>
        <translation>选择一条记录，查看每一步的输入、请求和结果。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="107"/>
        <source>Re-send selected</source>
        <translation>重新发送所选</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="108"/>
        <source>Re-send all failed</source>
        <translation>全部重新发送</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="110"/>
        <source>Skip selected…</source>
        <translation>跳过所选…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="118"/>
        <source>Records</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="121"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="121"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="122"/>
        <source>Read</source>
        <translation>读取</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="122"/>
        <source>Moved</source>
        <translation>已同步</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="122"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="123"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="131"/>
        <source>Runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="146"/>
        <source>Running %1…</source>
        <translation>正在运行 %1…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="149"/>
        <source>Running %1: %2 read, %3 moved, %4 failed</source>
        <translation>正在运行 %1：读取 %2 条，同步 %3 条，失败 %4 条</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="156"/>
        <source>Last run of %1: %2 — %3 moved, %4 failed</source>
        <translation>%1 上次运行：%2 —— 同步 %3 条，失败 %4 条</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="175"/>
        <source>Reading activity</source>
        <translation>正在读取活动</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="182"/>
        <source>All recipes</source>
        <translation>全部配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="193"/>
        <source>dry run</source>
        <translation>试运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="255"/>
        <source>Record %1 of %2 — %3</source>
        <translation>%2 的记录 %1 —— %3</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="258"/>
        <source>Message: %1</source>
        <translation>信息：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="260"/>
        <source>Next attempt: %1</source>
        <translation>下次尝试：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="262"/>
        <source>Steps:</source>
        <translation>步骤：</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="265"/>
        <source>Input record:</source>
        <translation>输入记录：</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="273"/>
        <source>Re-sent: %1 moved, %2 still failing.</source>
        <translation>已重新发送：同步 %1 条，仍有 %2 条失败。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="285"/>
        <source>Re-sending %1 record(s)…</source>
        <translation>正在重新发送 %1 条记录…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="289"/>
        <source>Re-sending every failed record…</source>
        <translation>正在重新发送所有失败记录…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="298"/>
        <source>Skip records</source>
        <translation>跳过记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="299"/>
        <source>Why are these records skipped? (kept in the history)</source>
        <translation>为什么跳过这些记录？（会保留在历史中）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/activity.py" line="303"/>
        <source>%1 record(s) skipped.</source>
        <translation>已跳过 %1 条记录。</translation>
    </message>
</context>
<context>
    <name>AppContext</name>
    <message>
        <location filename="../../src/ordersync_app/gui/context.py" line="42"/>
        <source>%1: catching up on changes since %2 (paused or asleep); nothing is skipped</source>
        <translation>%1：正在补处理自 %2 以来的变更（暂停或休眠期间），不会遗漏任何记录</translation>
    </message>
</context>
<context>
    <name>ConditionRow</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="286"/>
        <source>values, separated by commas</source>
        <translation>多个值，用逗号分隔</translation>
    </message>
</context>
<context>
    <name>Every</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="32"/>
        <source>every %1 h</source>
        <translation>每 %1 小时</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="34"/>
        <source>every %1 min</source>
        <translation>每 %1 分钟</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="35"/>
        <source>every %1 s</source>
        <translation>每 %1 秒</translation>
    </message>
</context>
<context>
    <name>FilterCard</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="321"/>
        <source>Only continue if (filter)</source>
        <translation>仅在满足条件时继续（过滤）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="323"/>
        <source>all conditions hold</source>
        <translation>满足所有条件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="324"/>
        <source>any condition holds</source>
        <translation>满足任一条件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="326"/>
        <source>Continue when</source>
        <translation>继续的条件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="330"/>
        <source>Add condition</source>
        <translation>添加条件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="381"/>
        <source>✓ The sample record passes.</source>
        <translation>✓ 样例记录通过。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="382"/>
        <source>✗ The sample record is filtered out.</source>
        <translation>✗ 样例记录被过滤掉。</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="19"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="23"/>
        <source>recipes switched on</source>
        <translation>个配方已开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="24"/>
        <source>records moved today</source>
        <translation>条记录今日已同步</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="25"/>
        <source>success rate, last 7 days</source>
        <translation>成功率（最近 7 天）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="26"/>
        <source>failed records need attention</source>
        <translation>条失败记录需要处理</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="30"/>
        <source>Open the failed queue</source>
        <translation>打开失败队列</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="36"/>
        <source>Last run of each recipe</source>
        <translation>各配方的上次运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="38"/>
        <source>Recipe</source>
        <translation>配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="38"/>
        <source>Last run</source>
        <translation>上次运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="38"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="39"/>
        <source>Moved / failed</source>
        <translation>同步 / 失败</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="46"/>
        <source>This week (green: moved, red: failed)</source>
        <translation>本周（绿色：已同步，红色：失败）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="59"/>
        <source>Reading the health summary</source>
        <translation>正在读取运行概况</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="76"/>
        <source>not run yet</source>
        <translation>尚未运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="78"/>
        <source>paused: %1</source>
        <translation>已暂停：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/home.py" line="80"/>
        <source>off</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="70"/>
        <source>Import a recipe</source>
        <translation>导入配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="85"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="96"/>
        <source>This file is not a valid recipe:</source>
        <translation>这个文件不是有效的配方：</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="103"/>
        <source>Name in OrderSync</source>
        <translation>在 OrderSync 中的名称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="111"/>
        <source>(no %1 account yet — add one in Accounts)</source>
        <translation>（还没有 %1 账户 —— 请先在“账户”中添加）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="112"/>
        <source>%1 account for “%2”</source>
        <translation>“%2”使用的 %1 账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="114"/>
        <source>Switch it on after importing</source>
        <translation>导入后立即开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="127"/>
        <source>Add an account for: %1</source>
        <translation>请为以下角色添加账户：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="137"/>
        <source>Replace recipe?</source>
        <translation>替换配方？</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="138"/>
        <source>A recipe named “%1” already exists. Replace it with this file (it becomes a new version of that recipe), or go back and choose another name?</source>
        <translation>已有名为“%1”的配方。要用此文件替换它（作为该配方的新版本），还是返回另取一个名称？</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="141"/>
        <source>Replace</source>
        <translation>替换</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="142"/>
        <source>Choose another name</source>
        <translation>另取名称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="154"/>
        <source>That name is taken; a free one is suggested.</source>
        <translation>该名称已被使用，已建议一个可用的名称。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="163"/>
        <source>Imported “%1”.</source>
        <translation>已导入“%1”。</translation>
    </message>
</context>
<context>
    <name>LookupCard</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="398"/>
        <source>Look up (find something in another app)</source>
        <translation>查找（在另一个应用中查找）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="401"/>
        <source>Lookup</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="404"/>
        <source>Name of the result</source>
        <translation>结果名称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="406"/>
        <source>the record fails (failed queue)</source>
        <translation>记录失败（进入失败队列）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="407"/>
        <source>skip the record</source>
        <translation>跳过该记录</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="408"/>
        <source>When nothing is found</source>
        <translation>找不到时</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="410"/>
        <source>Test this step</source>
        <translation>测试此步骤</translation>
    </message>
</context>
<context>
    <name>LookupTableEditor</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="70"/>
        <source>When the value is</source>
        <translation>当值为</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="70"/>
        <source>Write</source>
        <translation>写入</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="77"/>
        <source>Add row</source>
        <translation>添加一行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="78"/>
        <source>Remove row</source>
        <translation>删除一行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="85"/>
        <source>Otherwise write</source>
        <translation>否则写入</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="95"/>
        <source>Without a default, a value that is not in the table makes the record fail.</source>
        <translation>没有默认值时，表中没有的值会使记录失败。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="67"/>
        <source>OrderSync — orders to CRM, in sync</source>
        <translation>OrderSync —— 订单与 CRM 保持同步</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="80"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="80"/>
        <source>Recipes</source>
        <translation>配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="80"/>
        <source>Accounts</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="81"/>
        <source>Activity</source>
        <translation>活动</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="81"/>
        <source>Templates</source>
        <translation>模板</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="82"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="191"/>
        <source>OrderSync keeps syncing in the system tray.</source>
        <translation>OrderSync 会在系统托盘中继续同步。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="194"/>
        <source>Still running</source>
        <translation>仍在运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/main_window.py" line="195"/>
        <source>OrderSync keeps syncing in the background. Use the tray icon to open it or quit.</source>
        <translation>OrderSync 会在后台继续同步。可通过托盘图标打开或退出。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/app.py" line="135"/>
        <source>No system tray on this desktop: OrderSync runs while this window is open.</source>
        <translation>此桌面没有系统托盘：OrderSync 仅在窗口打开时运行。</translation>
    </message>
</context>
<context>
    <name>MappingEditor</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="354"/>
        <source>From field</source>
        <translation>来自字段</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="355"/>
        <source>Fixed value</source>
        <translation>固定值</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="356"/>
        <source>Text with {fields}</source>
        <translation>含 {字段} 的文本</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="362"/>
        <source>not mapped</source>
        <translation>未映射</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="365"/>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="465"/>
        <source>Transforms…</source>
        <translation>转换…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="455"/>
        <source>e.g. Shipped {name} to {shippingAddress.city}</source>
        <translation>例如：订单 {name} 已发往 {shippingAddress.city}</translation>
    </message>
</context>
<context>
    <name>RecipeBuilder</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="70"/>
        <source>← Recipes</source>
        <translation>← 配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="72"/>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="184"/>
        <source>New recipe</source>
        <translation>新建配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="80"/>
        <source>What does it do? e.g. Shipped orders move HubSpot deals</source>
        <translation>它做什么？例如：已发货订单更新 HubSpot 交易</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="82"/>
        <source>short-name</source>
        <translation>简称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="85"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="87"/>
        <source>Short name</source>
        <translation>简称</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="92"/>
        <source>A sentence for whoever reads this recipe later (optional)</source>
        <translation>给以后阅读这个配方的人写一句说明（可选）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="93"/>
        <source>Description</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="106"/>
        <source>+ Filter</source>
        <translation>+ 过滤</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="107"/>
        <source>+ Lookup</source>
        <translation>+ 查找</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="108"/>
        <source>+ Action</source>
        <translation>+ 动作</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="115"/>
        <source>Switch on</source>
        <translation>开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="116"/>
        <source>Dry run (preview, write nothing)</source>
        <translation>试运行（只预览，不写入）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="117"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="184"/>
        <source>Edit recipe</source>
        <translation>编辑配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="189"/>
        <source>Opening the recipe</source>
        <translation>正在打开配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="253"/>
        <source>Pick an account first (or add one in Accounts).</source>
        <translation>请先选择账户（或在“账户”中添加）。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="258"/>
        <source>Loading sample records…</source>
        <translation>正在加载样例记录…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="278"/>
        <source>✓ %1 sample record(s) loaded from the account.</source>
        <translation>✓ 已从账户加载 %1 条样例记录。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="281"/>
        <source>Using example values (the account gave none: %1).</source>
        <translation>正在使用示例值（账户没有返回记录：%1）。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="290"/>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="294"/>
        <source>Nothing found for %1.</source>
        <translation>没有找到 %1。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="297"/>
        <source>✓ Found: %1</source>
        <translation>✓ 找到：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="312"/>
        <source>Testing (nothing is written)…</source>
        <translation>正在测试（不会写入任何内容）…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="319"/>
        <source>The target was not found (match: %1).</source>
        <translation>未找到目标（匹配值：%1）。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="321"/>
        <source>%1: %2 → %3</source>
        <translation>%1：%2 → %3</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="324"/>
        <source>✓ The target already has these values.</source>
        <translation>✓ 目标已经是这些值。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="406"/>
        <source>pick an account (add one in Accounts first)</source>
        <translation>请选择账户（先在“账户”中添加）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="408"/>
        <source>give the recipe a name</source>
        <translation>请给配方起个名字</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="439"/>
        <source>Saved version %1 (%2).</source>
        <translation>已保存第 %1 版（%2）。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="440"/>
        <source>switched on</source>
        <translation>已开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/editor.py" line="440"/>
        <source>switched off</source>
        <translation>已关闭</translation>
    </message>
</context>
<context>
    <name>RecipesPage</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="51"/>
        <source>Recipes</source>
        <translation>配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="53"/>
        <source>New recipe</source>
        <translation>新建配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="56"/>
        <source>Import file…</source>
        <translation>导入文件…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="61"/>
        <source>Recipe</source>
        <translation>配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="61"/>
        <source>Checks</source>
        <translation>检查频率</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="61"/>
        <source>Switched on</source>
        <translation>已开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="62"/>
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="62"/>
        <source>Last run</source>
        <translation>上次运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="62"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="74"/>
        <source>No recipes yet. Start from a template, import a file, or build one.</source>
        <translation>还没有配方。从模板开始、导入文件，或自己搭建一个。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="79"/>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="80"/>
        <source>Run now</source>
        <translation>立即运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="81"/>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="157"/>
        <source>Switch on</source>
        <translation>开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="82"/>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="158"/>
        <source>Dry run on</source>
        <translation>开启试运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="83"/>
        <source>Export / share…</source>
        <translation>导出 / 分享…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="84"/>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="241"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="104"/>
        <source>Reading recipes</source>
        <translation>正在读取配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="114"/>
        <source>on</source>
        <translation>开启</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="114"/>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="116"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="118"/>
        <source>dry run</source>
        <translation>试运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="118"/>
        <source>live</source>
        <translation>正式</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="119"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="126"/>
        <source>Missed runs (sleep, downtime) are combined into one that runs as soon as possible, up to 1 hour late; each run reads from where the last one stopped, so nothing is skipped.</source>
        <translation>错过的运行（休眠、停机）会合并为一次，尽快执行，最多延迟 1 小时；每次运行都从上次停下的位置读取，因此不会遗漏。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="157"/>
        <source>Switch off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="158"/>
        <source>Go live</source>
        <translation>正式运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="172"/>
        <source>Running %1…</source>
        <translation>正在运行 %1…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="178"/>
        <source>%1: %2 — %3 moved, %4 failed, %5 filtered out.</source>
        <translation>%1：%2 —— 同步 %3 条，失败 %4 条，过滤 %5 条。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="198"/>
        <source>%1 records read so far, %2 moved</source>
        <translation>已读取 %1 条记录，已同步 %2 条</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="207"/>
        <source>Switching</source>
        <translation>正在切换</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="213"/>
        <source>Dry run</source>
        <translation>试运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="219"/>
        <source>Export recipe</source>
        <translation>导出配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="220"/>
        <source>Recipe files (*.yaml *.yml)</source>
        <translation>配方文件 (*.yaml *.yml)</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="231"/>
        <source>Saved %1 (no accounts or secrets inside).</source>
        <translation>已保存 %1（不含账户和密钥）。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="231"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="237"/>
        <source>Remove recipe</source>
        <translation>删除配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="238"/>
        <source>Remove “%1” and its history?</source>
        <translation>删除“%1”及其历史记录？</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="244"/>
        <source>Import recipe</source>
        <translation>导入配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/recipes.py" line="245"/>
        <source>Recipe files (*.yaml *.yml *.json)</source>
        <translation>配方文件 (*.yaml *.yml *.json)</translation>
    </message>
</context>
<context>
    <name>SchedulerHost</name>
    <message>
        <location filename="../../src/ordersync_app/gui/host.py" line="54"/>
        <source>Updating the schedule</source>
        <translation>正在更新计划</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/host.py" line="80"/>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/host.py" line="81"/>
        <source>Running switched-on recipes on their schedules in this app.</source>
        <translation>正在本应用中按计划运行已开启的配方。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/host.py" line="82"/>
        <source>Paused: no scheduled runs until you resume.</source>
        <translation>已暂停：恢复之前不会按计划运行。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/host.py" line="83"/>
        <source>Another OrderSync (app or worker) already schedules these recipes.</source>
        <translation>另一个 OrderSync（应用或后台进程）已经在调度这些配方。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/host.py" line="84"/>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="26"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="31"/>
        <source>Same as the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="36"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="37"/>
        <source>Start OrderSync when I log in</source>
        <translation>登录时启动 OrderSync</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="40"/>
        <source>Start-up</source>
        <translation>启动</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="42"/>
        <source>Keep running in the system tray when the window is closed</source>
        <translation>关闭窗口后在系统托盘中继续运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="45"/>
        <source>Background</source>
        <translation>后台</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="48"/>
        <source>Scheduler</source>
        <translation>调度</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="51"/>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/settings.py" line="59"/>
        <source>Not running in this window.</source>
        <translation>未在此窗口中运行。</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="26"/>
        <source>succeeded</source>
        <translation>成功</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="27"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="28"/>
        <source>retrying</source>
        <translation>等待重试</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="29"/>
        <source>filtered out</source>
        <translation>已过滤</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="30"/>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="31"/>
        <source>unchanged</source>
        <translation>无变化</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="32"/>
        <source>previewed (dry run)</source>
        <translation>已预览（试运行）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="33"/>
        <source>not previewed (dry run)</source>
        <translation>未预览（试运行）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="34"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="35"/>
        <source>error</source>
        <translation>出错</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="36"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="37"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="38"/>
        <source>connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="39"/>
        <source>reconnect needed</source>
        <translation>需要重新连接</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/widgets.py" line="40"/>
        <source>in progress</source>
        <translation>处理中</translation>
    </message>
</context>
<context>
    <name>StepCard</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="113"/>
        <source>Remove step</source>
        <translation>删除步骤</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="125"/>
        <source>App</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="127"/>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="160"/>
        <source>(no account yet — add one in Accounts)</source>
        <translation>（还没有账户 —— 请先在“账户”中添加）</translation>
    </message>
</context>
<context>
    <name>TemplatesPage</name>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="180"/>
        <source>Templates</source>
        <translation>模板</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="181"/>
        <source>Ready-made recipes. Pick one, choose your accounts, and it is ready to switch on. You can also drop a recipe file anywhere on this window.</source>
        <translation>现成的配方。选一个、选好账户，就可以开启。也可以把配方文件拖到本窗口任意位置。</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="186"/>
        <source>Import file…</source>
        <translation>导入文件…</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="204"/>
        <source>Reading templates</source>
        <translation>正在读取模板</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="221"/>
        <source>Needs: %1</source>
        <translation>需要：%1</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="224"/>
        <source>Use this template</source>
        <translation>使用此模板</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="237"/>
        <source>Import recipe</source>
        <translation>导入配方</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/pages/templates.py" line="238"/>
        <source>Recipe files (*.yaml *.yml *.json)</source>
        <translation>配方文件 (*.yaml *.yml *.json)</translation>
    </message>
</context>
<context>
    <name>TransformChainDialog</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="149"/>
        <source>Transforms</source>
        <translation>转换</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="168"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="170"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="172"/>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="293"/>
        <source>time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/mapping.py" line="320"/>
        <source>Sample value: %1</source>
        <translation>样例值：%1</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="39"/>
        <source>Open OrderSync</source>
        <translation>打开 OrderSync</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="40"/>
        <source>Run all now</source>
        <translation>立即全部运行</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="41"/>
        <source>Pause all</source>
        <translation>全部暂停</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="46"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="67"/>
        <source>Reading the health summary</source>
        <translation>正在读取运行概况</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="75"/>
        <source>OrderSync: syncing normally</source>
        <translation>OrderSync：同步正常</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="76"/>
        <source>OrderSync: %1 failed record(s) need attention</source>
        <translation>OrderSync：%1 条失败记录需要处理</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/tray.py" line="77"/>
        <source>OrderSync: paused</source>
        <translation>OrderSync：已暂停</translation>
    </message>
</context>
<context>
    <name>TriggerCard</name>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="188"/>
        <source>1. When this happens (trigger)</source>
        <translation>1. 当发生这件事时（触发器）</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="189"/>
        <source>Event</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="191"/>
        <source>every minute</source>
        <translation>每分钟</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="191"/>
        <source>every 5 minutes</source>
        <translation>每 5 分钟</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="192"/>
        <source>every 15 minutes</source>
        <translation>每 15 分钟</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="192"/>
        <source>every hour</source>
        <translation>每小时</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="196"/>
        <source>from now on</source>
        <translation>从现在开始</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="197"/>
        <source>everything, including the past</source>
        <translation>全部，包括过去的</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="198"/>
        <source>Check</source>
        <translation>检查频率</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="199"/>
        <source>Start</source>
        <translation>起点</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="200"/>
        <source>Load sample</source>
        <translation>加载样例</translation>
    </message>
    <message>
        <location filename="../../src/ordersync_app/gui/builder/cards.py" line="225"/>
        <source>Sample %1: %2</source>
        <translation>样例 %1：%2</translation>
    </message>
</context>
</TS>
